"""Importing files step by step into an empty store, and checking every promise of the import.

Contract of ``round_trip(root, directory, steps, expected)``: into a new store at ``root``,
each ``Step`` (files of ``directory`` planned together, the user's year) is planned and
committed; then, whatever is wrong raises ``AssertionError`` saying what:

- every file is read as its table, without a problem, an ignored column or a rejected row
  (a totals row is warned about), and its check took the road ``Step.fast`` says (the
  clean-file shortcut gives ``Checked.store_checked``; the row-by-row road does not);
- the preview's counts (inserted / replaced / unchanged per table, summed over the files'
  years) are what the commit did;
- the store then holds exactly ``expected`` (per table, the stored columns);
- the same steps again change nothing (no commit, every row unchanged), nor do all their files
  in one upload;
- undoing the last import that changed something gives back the tables as they were before it.

``Failure`` carries the step and what was seen, for a regression case to be written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from dashkit.ingest import ImportOptions, ImportPlan, InputFile, commit_import, plan_import
from dashkit.schema import TABLES
from dashkit.store import CommitResult, Store, undo
from tests.support.office_files import Row, Step, canonical

# Warnings that say a valid file was read differently from how it was written.
WRONG_READING = ("ingest.column_ignored", "ingest.columns_ignored", "ingest.duplicate_column")
SHOWN = 8  # rows shown of a difference


def contents(store: Store) -> dict[str, list[Row]]:
    """Every table's rows (stored columns), in a canonical order."""
    snapshot = store.snapshot()
    return {
        name: canonical(snapshot.rows(f"SELECT {', '.join(table.column_names)} FROM {name}"))
        for name, table in TABLES.items()
    }


def differences(actual: dict[str, list[Row]], expected: dict[str, list[Row]]) -> str:
    """The rows one side has and the other lacks, per table; empty when they are equal."""
    lines = []
    for name in TABLES:
        have, want = Counter(actual.get(name, [])), Counter(expected.get(name, []))
        missing, extra = list((want - have).elements()), list((have - want).elements())
        if missing or extra:
            lines.append(f"{name}: {len(missing)} rows missing, {len(extra)} unexpected")
            lines += [f"  - missing    {row!r}" for row in canonical(missing)[:SHOWN]]
            lines += [f"  + unexpected {row!r}" for row in canonical(extra)[:SHOWN]]
    return "\n".join(lines)


def _problems(plan: ImportPlan) -> str:
    lines = []
    for file in plan.files:
        for issue in file.issues[:SHOWN]:
            lines.append(
                f"  {file.file}: row {issue.row} column {issue.header or issue.column!r} "
                f"value {issue.value!r}: {issue.key} {issue.params or ''}"
            )
        if file.issue_count > SHOWN:
            lines.append(f"  {file.file}: … {file.issue_count} problems in all")
    return "\n".join(lines)


def _preview(plan: ImportPlan) -> dict[str, tuple[int, int, int]]:
    totals: dict[str, list[int]] = {}
    for file in plan.files:
        if file.table is None:
            continue
        counts = totals.setdefault(file.table, [0, 0, 0])
        counts[0] += file.total("inserted")
        counts[1] += file.total("replaced")
        counts[2] += file.total("unchanged")
    return {name: (a, b, c) for name, (a, b, c) in totals.items()}


def _committed(result: CommitResult) -> dict[str, tuple[int, int, int]]:
    return {
        name: (counts.inserted, counts.replaced, counts.unchanged)
        for name, counts in result.tables.items()
    }


def import_step(store: Store, directory: Path, step: Step, *, again: bool = False) -> CommitResult:
    """Plan and commit one step, checking the plan and the preview against the commit."""
    inputs = [InputFile(name, directory / name) for name in step.files]
    label = ("again: " if again else "") + ", ".join(step.files)
    with plan_import(store, inputs, ImportOptions(year=step.year)) as plan:
        assert plan.ok, f"{label}: the plan has problems\n{_problems(plan)}"
        for position, file in enumerate(plan.files):
            if position < len(step.tables) and step.tables[position]:
                assert file.table == step.tables[position], (
                    f"{file.file}: read as {file.table}, written as {step.tables[position]}"
                )
            rejected = file.total("rejected")
            assert rejected == 0, f"{file.file}: {rejected} rows rejected without a problem"
            wrong = [w for w in file.warnings if w[0] in WRONG_READING]
            assert not wrong, f"{file.file}: columns not read: {wrong}"
            fast = step.fast[position] if position < len(step.fast) else None
            if fast is not None and file.checked is not None:
                took = file.checked.store_checked is not None
                assert took == fast, (
                    f"{file.file}: the check took the {'clean-file' if took else 'row-by-row'} "
                    f"road, expected the {'clean-file' if fast else 'row-by-row'} one"
                )
        preview = _preview(plan)
        try:
            result = commit_import(store, plan)
        except Exception as error:
            raise AssertionError(
                f"{label}: the plan was clean, the commit failed: {error!r} "
                f"{getattr(error, 'params', '')}"
            ) from error
    committed = _committed(result)
    for name in TABLES:
        assert preview.get(name, (0, 0, 0)) == committed.get(name, (0, 0, 0)), (
            f"{label}: preview (inserted, replaced, unchanged) of {name} "
            f"{preview.get(name, (0, 0, 0))} but the commit did {committed.get(name)}"
        )
    if again:
        assert result.commit_id is None, f"{label}: importing the same files again committed"
        changed = {n: c for n, c in committed.items() if c[0] or c[1]}
        assert not changed, f"{label}: importing the same files again changed {changed}"
    return result


def round_trip(
    root: Path, directory: Path, steps: Sequence[Step], expected: dict[str, list[Row]]
) -> None:
    store = Store(root)
    assert store.is_empty(), f"{root} is not an empty store"
    before: list[dict[str, list[Row]]] = []
    commits: list[str | None] = []
    for step in steps:
        before.append(contents(store))
        commits.append(import_step(store, directory, step).commit_id)
    after = contents(store)
    diff = differences(after, expected)
    assert not diff, f"the store does not hold the dataset:\n{diff}"
    for step in steps:
        import_step(store, directory, step, again=True)
    if len(steps) > 1 and len({step.year for step in steps}) == 1:  # and all in one upload
        together = Step(tuple(name for step in steps for name in step.files), steps[0].year)
        import_step(store, directory, together, again=True)
    assert contents(store) == after, "importing the same files again changed the tables"
    changed = [position for position, commit in enumerate(commits) if commit is not None]
    if changed:
        last = changed[-1]
        commit_id = commits[last]
        assert commit_id is not None
        undo(store, commit_id)
        diff = differences(contents(store), before[last])
        assert not diff, f"undoing {steps[last].files} did not restore the tables:\n{diff}"


def describe_steps(steps: Sequence[Step]) -> str:
    return "\n".join(
        f"step {n}: {', '.join(step.files)} (year option {step.year})"
        for n, step in enumerate(steps, start=1)
    )
