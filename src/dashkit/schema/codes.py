"""How people write the coded values: audiences, event types, recipient types.

Matched after folding (no diacritics, case or punctuation), so "Đảng viên", "ĐẢNG VIÊN" and
"dang vien" are all ``party_member``. A code itself is always accepted too.
"""

from __future__ import annotations

CODE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "audience": {
        "party_member": ("Đảng viên", "ĐV", "Cán bộ, đảng viên", "Cán bộ đảng viên"),
        "worker": (
            "Người lao động",
            "Công nhân lao động",
            "NLĐ",
            "CNLĐ",
            "Công nhân",
            "Lao động",
            "Công nhân, người lao động",
            "Công nhân viên chức lao động",
            "CNVCLĐ",
        ),
    },
    "event_type": {
        "class": ("Lớp học tập", "Lớp học", "Lớp", "Lớp bồi dưỡng", "Học tập"),
        "conference": ("Hội nghị", "Hội nghị quán triệt", "Quán triệt"),
        "review": ("Sơ kết", "Hội nghị sơ kết"),
        "final_review": ("Tổng kết", "Hội nghị tổng kết"),
        "thematic": ("Sinh hoạt chuyên đề", "Chuyên đề", "Sinh hoạt"),
        "other": ("Khác", "Hoạt động khác"),
    },
    "recipient_type": {
        "collective": ("Tập thể", "TT"),
        "individual": ("Cá nhân", "CN"),
    },
}

IGNORED_HEADERS: tuple[str, ...] = ("STT", "TT", "Số TT", "Số thứ tự", "Ghi chú", "No", "#")
"""Columns offices add that carry no data of ours: skipped without a warning."""
