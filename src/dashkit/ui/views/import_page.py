"""The Import page: drop files, see what they are and what they would change, commit; undo."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashkit.errors import DashkitError
from dashkit.i18n import Translator
from dashkit.ingest import (
    TEXT_EXTENSIONS,
    WORKBOOK_EXTENSIONS,
    FilePlan,
    ImportPlan,
    commit_import,
)
from dashkit.ingest.headers import IGNORE
from dashkit.ingest.messages import column_label, issue_text, warning_text
from dashkit.ingest.templates import (
    TEMPLATES,
    TemplateLabels,
    template_csv,
    template_rows,
    template_xlsx,
)
from dashkit.ingest.text import fold
from dashkit.report import safe_csv
from dashkit.schema import AUDIENCES, TABLES
from dashkit.store import (
    Store,
    history,
    remember_mapping,
    rolled_back_by_undo,
    undo,
)
from dashkit.ui import auth, data, importing, language
from dashkit.ui.tables import EMPTY_CELL, with_numbers_in_language
from dashkit.ui.uploader_labels import localize_uploader

UPLOADER_KEY = "import_uploader_round"
NOTICE_KEY = "import_notice"
AUTO = "auto"
SHOWN_PROBLEMS = 100


def render() -> None:
    t = language.current()
    st.title(t("import.title"))
    access_settings = auth.settings()
    access = auth.current(access_settings)
    if not access.can_edit:
        auth.refusal(access, access_settings, t)
        return
    store = data.current_store()
    st.caption(t("import.intro"))
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.success(notice, icon=":material/check_circle:")
    _templates(t)
    uploads, table, year = _inputs(t)
    if uploads:
        _plan_and_commit(store, uploads, table, year, t)
    _history(store, t)


def _templates(t: Translator) -> None:
    with st.expander(t("import.templates"), icon=":material/download:"):
        name = st.selectbox(
            t("import.template_for"),
            TEMPLATES,
            format_func=lambda n: _template_name(n, t),
            key="template_table",
        )
        labels = TemplateLabels(
            columns={
                c.name: t(f"column.{c.name}") for table in TABLES.values() for c in table.columns
            },
            audiences={code: t.code("audience", code) for code in AUDIENCES},
            report_title=t("template.report_title"),
        )
        rows = template_rows(name, labels)
        st.caption(t("import.templates_formats"))
        left, right = st.columns(2)
        left.download_button(
            t("import.download_xlsx"),
            template_xlsx(rows, name),
            f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            width="stretch",
        )
        right.download_button(
            t("import.download_csv"),
            template_csv(rows),
            f"{name}.csv",
            mime="text/csv",
            icon=":material/description:",
            width="stretch",
        )


def _template_name(name: str, t: Translator) -> str:
    return t("import.report_layout") if name not in TABLES else t(f"table.{name}")


def _inputs(t: Translator) -> tuple[list[importing.Upload], str | None, int | None]:
    round_number = st.session_state.setdefault(UPLOADER_KEY, 0)
    key = f"uploader_{round_number}"
    localize_uploader(key, t, [*TEXT_EXTENSIONS, *WORKBOOK_EXTENSIONS])
    # No ``type=``: Streamlit would refuse another format with an English message; the
    # importer reads the format from the bytes and names what it takes in the user's language.
    files = st.file_uploader(
        t("import.files"),
        accept_multiple_files=True,
        key=key,
        help=t("import.files_help"),
    )
    left, right = st.columns(2)
    table = left.selectbox(
        t("import.table"),
        (AUTO, *TABLES),
        key="import_table",
        format_func=lambda n: t("import.table_auto") if n == AUTO else t(f"table.{n}"),
    )
    year = right.number_input(
        t("import.year"),
        min_value=1900,
        max_value=2100,
        value=None,
        step=1,
        key="import_year",
        placeholder=t("import.year_placeholder"),
        help=t("import.year_help"),
    )
    uploads = [importing.Upload(file.name, file.getvalue()) for file in files or []]
    return uploads, None if table == AUTO else table, int(year) if year is not None else None


def _plan_and_commit(
    store: Store,
    uploads: list[importing.Upload],
    table: str | None,
    year: int | None,
    t: Translator,
) -> None:
    with st.status(t("import.checking"), expanded=False) as status:
        plan = importing.current_plan(
            store, uploads, table, year, lambda key, params: status.write(t.error(key, params))
        )
        status.update(label=t("import.checked"), state="complete")
    for file_plan in plan.files:
        _file_section(store, file_plan, t)
    _commit_section(store, plan, t)


def _file_section(store: Store, file_plan: FilePlan, t: Translator) -> None:
    with st.container(border=True):
        st.markdown(f"**{_escape(file_plan.file)}**")
        facts = []
        if file_plan.table:
            facts.append(t("import.fact_table", table=t(f"table.{file_plan.table}")))
        if file_plan.encoding:
            facts.append(t("import.fact_encoding", encoding=file_plan.encoding))
        elif file_plan.kind:
            facts.append(t(f"import.format_{file_plan.kind}"))
        if file_plan.sheet:
            facts.append(t("import.fact_sheet", sheet=file_plan.sheet))
        facts.append(t("import.fact_rows", rows=t.integer(file_plan.rows_read)))
        st.caption(" · ".join(facts))
        if file_plan.layout is not None:
            _mapping(store, file_plan, t)
        if file_plan.by_year:
            st.dataframe(
                with_numbers_in_language(_preview_frame(file_plan, t), t),
                hide_index=True,
                width="content",
                placeholder=EMPTY_CELL,
            )
        for warning in file_plan.warnings:
            st.caption(f":material/info: {warning_text(t, warning)}")
        if file_plan.issues:
            _problems(file_plan, t)
        elif file_plan.checked is not None:
            st.success(t("import.file_ok"), icon=":material/task_alt:")


def _mapping(store: Store, file_plan: FilePlan, t: Translator) -> None:
    layout = file_plan.layout
    assert layout is not None
    rows = [
        {
            t("import.col_header"): match.header,
            t("import.col_column"): t(f"column.{match.column}")
            if match.column
            else t("import.unmatched"),
        }
        for match in layout.columns
    ]
    with st.expander(
        t("import.mapping", count=len(layout.columns)), expanded=bool(layout.unmatched)
    ):
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=EMPTY_CELL)
        if layout.unmatched:
            _manual_mapping(store, file_plan, t)


def _manual_mapping(store: Store, file_plan: FilePlan, t: Translator) -> None:
    layout = file_plan.layout
    assert layout is not None
    table = TABLES[layout.table]
    choices = (IGNORE, *(column.name for column in table.columns))
    st.caption(t("import.manual_intro"))
    chosen: dict[str, str] = {}
    for match in layout.unmatched:
        value = st.selectbox(
            match.header,
            choices,
            key=f"map_{file_plan.sha256}_{match.index}",
            format_func=lambda name: t("import.ignore") if name == IGNORE else t(f"column.{name}"),
        )
        chosen[fold(match.header)] = value
    if st.button(
        t("import.remember_mapping"), key=f"remember_{file_plan.sha256}", icon=":material/save:"
    ):
        if not auth.require_editor(t):
            return
        remember_mapping(store, layout.signature, chosen)
        st.rerun()


def _preview_frame(file_plan: FilePlan, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("import.col_year"): str(counts.year)
                if counts.year is not None
                else t("common.no_value"),
                t("import.col_new"): counts.inserted,
                t("import.col_replaced"): counts.replaced,
                t("import.col_unchanged"): counts.unchanged,
                t("import.col_rejected"): counts.rejected,
            }
            for counts in file_plan.by_year
        ]
    )


def _problems(file_plan: FilePlan, t: Translator) -> None:
    has_valid_rows = file_plan.checked is not None and file_plan.checked.valid_rows > 0
    st.error(
        t(
            "import.problems" if has_valid_rows else "import.problems_no_valid_row",
            count=t.integer(file_plan.issue_count),
        ),
        icon=":material/error:",
    )
    frame = pd.DataFrame(
        [
            {
                # text, never empty: the browser's table cannot show a row label that is missing
                t("import.col_row"): str(issue.row) if issue.row is not None else "–",
                t("import.col_header"): column_label(t, issue),
                t("import.col_value"): issue.value,
                t("import.col_message"): issue_text(t, issue),
            }
            for issue in file_plan.issues
        ]
    )
    # A wrapping table, not a grid: each message ends with what to do, and must be read whole.
    shown = frame[[t("import.col_row"), t("import.col_message")]].head(SHOWN_PROBLEMS)
    st.table(shown.set_index(t("import.col_row")))
    if file_plan.issue_count > len(shown):
        st.caption(t("import.problems_capped", shown=t.integer(len(shown))))
    st.download_button(
        t("import.download_problems"),
        safe_csv(frame),
        f"{file_plan.file}.errors.csv",
        mime="text/csv",
        key=f"problems_{file_plan.sha256}",
        icon=":material/download:",
    )


def _commit_section(store: Store, plan: ImportPlan, t: Translator) -> None:
    skip = False
    valid = sum(file.checked.valid_rows for file in plan.files if file.checked is not None)
    if not plan.ok and valid:  # (a file without a valid row has nothing to import)
        skip = st.checkbox(
            t("import.skip_invalid"), key="import_skip_invalid", help=t("import.skip_invalid_help")
        )
    disabled = (not plan.ok and not skip) or valid == 0
    if not plan.changes and plan.ok:
        st.info(t("import.nothing_new"), icon=":material/info:")
    if st.button(
        t("import.commit", rows=t.integer(valid)),
        type="primary",
        disabled=disabled,
        icon=":material/upload:",
        key="import_commit",
    ):
        if not auth.require_editor(t):
            return
        with st.spinner(t("import.committing")):
            try:
                result = commit_import(store, plan, skip_invalid=skip, user=auth.user_name())
            except DashkitError as error:
                st.error(t.error(error.key, error.params), icon=":material/error:")
                return
        importing.forget_plan()
        st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
        st.session_state[NOTICE_KEY] = (
            t("import.done", import_id=result.commit_id, version=result.version)
            if result.commit_id
            else t("import.nothing_new")
        )
        st.rerun()


def _history(store: Store, t: Translator) -> None:
    st.subheader(t("import.history"))
    entries = history(store)
    if not entries:
        st.caption(t("import.history_empty"))
        return
    frame = pd.DataFrame(
        [
            {
                t("import.col_time"): entry.time.replace("T", " ").replace("+00:00", " UTC"),
                t("import.col_op"): t(f"op.{entry.op}"),
                t("import.col_file"): entry.file or "",
                t("import.col_user"): entry.user or t("import.user_unknown"),
                t("import.col_tables"): ", ".join(t(f"table.{name}") for name in entry.tables),
                t("import.col_new"): entry.inserted,
                t("import.col_replaced"): entry.replaced,
                t("import.col_state"): t("import.state_undone") if entry.undone else "",
                t("import.col_id"): entry.commit_id,
            }
            for entry in entries
        ]
    )
    st.dataframe(
        with_numbers_in_language(frame, t), hide_index=True, width="stretch", placeholder=EMPTY_CELL
    )
    undoable = [entry for entry in entries if entry.op in ("import", "demo") and not entry.undone]
    if not undoable:
        return
    with st.expander(t("import.undo_title"), icon=":material/undo:"):
        chosen = st.selectbox(
            t("import.undo_pick"),
            [entry.commit_id for entry in undoable],
            key="undo_pick",
            format_func=lambda cid: _entry_label(cid, undoable, t),
        )
        later = [e for e in rolled_back_by_undo(store, chosen) if e.commit_id != chosen]
        if later:
            st.warning(
                t("import.undo_also", files=", ".join(e.file or e.commit_id for e in later)),
                icon=":material/warning:",
            )
        confirmed = st.checkbox(t("import.undo_confirm"), key="undo_confirm")
        if st.button(
            t("import.undo_button"),
            disabled=not confirmed,
            icon=":material/undo:",
            key="undo_button",
        ):
            if not auth.require_editor(t):
                return
            result = undo(store, chosen, user=auth.user_name())
            importing.forget_plan()
            st.session_state[NOTICE_KEY] = t("import.undone", version=result.version)
            st.session_state.pop("undo_confirm", None)
            st.rerun()


def _entry_label(commit_id: str, entries: list[Any], t: Translator) -> str:
    entry = next(e for e in entries if e.commit_id == commit_id)
    return t(
        "import.undo_label",
        time=entry.time[:16].replace("T", " "),
        file=entry.file or "",
        id=commit_id,
    )


def _escape(text: str) -> str:
    """A file name shown in Markdown as plain text."""
    return "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!|<>~$" else char for char in text)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
