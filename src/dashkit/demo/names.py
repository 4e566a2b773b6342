"""Invented names for the demo: enterprises, zones, people. None is a real organisation or person."""

from __future__ import annotations

COMMITTEE_ID = "DU-KCX"
COMMITTEE_NAME = "Đảng ủy các Khu chế xuất và Công nghiệp Cần Thơ"
COMMITTEE_TYPE = "Đảng ủy cấp trên cơ sở"
CITY_COMMITTEE = "Thành ủy Cần Thơ"
STANDING_COMMITTEE = "Ban Thường vụ Đảng ủy"

# (zone, number of grassroots units there); the counts add up to 79.
ZONES: tuple[tuple[str, int], ...] = (
    ("Khu chế xuất Trà Nóc 1", 24),
    ("Khu công nghiệp Trà Nóc 2", 20),
    ("Khu công nghiệp Hưng Phú 1", 15),
    ("Khu công nghiệp Hưng Phú 2A", 8),
    ("Khu công nghiệp Thốt Nốt", 12),
)

# unit_type (the enterprise's ownership) -> the legal form its name starts with
OWNERSHIP_TYPES: dict[str, str] = {
    "Doanh nghiệp nhà nước": "Công ty TNHH MTV",
    "Công ty cổ phần": "Công ty Cổ phần",
    "Doanh nghiệp tư nhân": "Công ty TNHH",
    "Doanh nghiệp có vốn đầu tư nước ngoài": "Công ty TNHH",
}

SECTORS: tuple[str, ...] = (
    "Chế biến Thủy sản",
    "May mặc",
    "Lương thực",
    "Bao bì",
    "Dược phẩm",
    "Cơ khí",
    "Thực phẩm",
    "Điện tử",
    "Vật liệu Xây dựng",
    "Thức ăn Chăn nuôi",
    "Giày da",
    "Nhựa",
    "Chế biến Gỗ",
    "Hóa chất",
    "In ấn",
    "Giao nhận Kho vận",
    "Năng lượng",
    "Nông sản",
)

BRANDS: tuple[str, ...] = (
    "Phú An Khang",
    "Thành Đạt Tây Nam",
    "Hòa Bình Xanh",
    "Minh Phước",
    "Đại Lộc Phát",
    "Tân Hưng Long",
    "Kim Ngân Hà",
    "Bình An Phú",
    "Việt Thắng Lợi",
    "Nam Sông Xanh",
    "Hưng Thịnh Phát",
    "Trường Giang Nam",
    "Phước Thành Công",
    "An Lạc Hòa",
    "Quang Minh Đức",
)

SURNAMES: tuple[str, ...] = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Lâm",
)
MIDDLE_NAMES: tuple[str, ...] = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hoàng", "Quốc", "Thị Mỹ")
GIVEN_NAMES: tuple[str, ...] = (
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Khoa",
    "Lan",
    "Linh",
    "Lộc",
    "Nga",
    "Nhân",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trí",
    "Tuấn",
    "Vân",
    "Xuân",
    "Yến",
    "Đạt",
)

TOPICS: dict[int, str] = {
    2016: "Xây dựng Đảng thật sự trong sạch, vững mạnh; cán bộ, đảng viên là người lãnh đạo, "
    "người đầy tớ thật trung thành của nhân dân",
    2017: "Xây dựng phong cách, tác phong công tác của người đứng đầu, của cán bộ, đảng viên",
    2018: "Ý thức tôn trọng nhân dân, phát huy dân chủ, chăm lo đời sống nhân dân",
}

AWARD_REASON = (
    "Có thành tích tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
)
REVIEW_TITLE = "Hội nghị sơ kết 02 năm thực hiện Chỉ thị 05-CT/TW"
