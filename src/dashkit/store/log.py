"""The commit log: dashkit's own table in the catalog's database, the point where a commit
becomes visible.

Contract: one row per version (``version`` is the primary key, so two writers can never both
publish the same version) holding the manifest, which pins the Iceberg snapshot of every table
at that version. A reader takes the newest row once and reads each table at its pinned
snapshot: an import of several tables appears at once, and a table commit whose log row was
never written (a writer killed between the two) is invisible. Settings beside the data
(remembered column mappings) live in a second small table of the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError

from dashkit.errors import StoreError
from dashkit.store.manifest import Manifest

_metadata = MetaData()
COMMITS = Table(
    "dashkit_commits",
    _metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("commit_id", String(64), nullable=False, unique=True),
    Column("time", String(40), nullable=False),
    Column("manifest", Text, nullable=False),
)
SETTINGS = Table(
    "dashkit_settings",
    _metadata,
    Column("name", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)


class CommitLog:
    """The log in one catalog database."""

    def __init__(self, engine: Engine, place: str) -> None:
        self.engine = engine
        self.place = place  # for messages
        self._ready = False

    def ensure(self) -> None:
        """Create the log's tables if they are not there yet (another process may be doing
        the same at this moment: whoever loses that race finds them made)."""
        if self._ready:
            return
        with self._guarded():
            try:
                _metadata.create_all(self.engine)
            except (OperationalError, ProgrammingError, IntegrityError):
                names = set(inspect(self.engine).get_table_names())
                if not {COMMITS.name, SETTINGS.name} <= names:
                    raise
        self._ready = True

    def head(self) -> int:
        """The newest version; 0 before the first commit."""
        self.ensure()
        with self._guarded(), self.engine.connect() as connection:
            value = connection.execute(select(func.max(COMMITS.c.version))).scalar()
        return int(value or 0)

    def manifest(self, version: int) -> Manifest:
        with self._guarded(), self.engine.connect() as connection:
            text = connection.execute(
                select(COMMITS.c.manifest).where(COMMITS.c.version == version)
            ).scalar()
        if text is None:
            raise StoreError("store.no_version", version=version)
        return Manifest.from_json(text)

    def manifests(self) -> list[Manifest]:
        """Every version, newest first."""
        self.ensure()
        with self._guarded(), self.engine.connect() as connection:
            texts = connection.execute(
                select(COMMITS.c.manifest).order_by(COMMITS.c.version.desc())
            ).scalars()
            return [Manifest.from_json(text) for text in texts]

    def publish(self, manifest: Manifest) -> None:
        """Make ``manifest`` the newest version, atomically; refused if its version exists."""
        self.ensure()
        with self._guarded():  # inside it: a taken version is not "unavailable"
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        COMMITS.insert().values(
                            version=manifest.version,
                            commit_id=manifest.commit_id,
                            time=manifest.time,
                            manifest=manifest.to_json(),
                        )
                    )
            except IntegrityError as error:
                if not self._taken(manifest.version):
                    raise  # refused for another reason (a constraint, a trigger): unavailable
                # the version exists already: only possible if a writer ignored the lock
                raise StoreError("store.locked", path=self.place) from error

    def _taken(self, version: int) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(COMMITS.c.version).where(COMMITS.c.version == version)
            ).scalar()
        return found is not None

    def setting(self, name: str) -> str | None:
        self.ensure()
        with self._guarded(), self.engine.connect() as connection:
            value = connection.execute(
                select(SETTINGS.c.value).where(SETTINGS.c.name == name)
            ).scalar()
        return None if value is None else str(value)

    def set_setting(self, name: str, value: str) -> None:
        self.ensure()
        with self._guarded(), self.engine.begin() as connection:
            connection.execute(SETTINGS.delete().where(SETTINGS.c.name == name))
            connection.execute(SETTINGS.insert().values(name=name, value=value))

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """Database failures as the store's own error, in the user's language."""
        try:
            yield
        except SQLAlchemyError as error:
            raise StoreError("store.unavailable", path=self.place, reason=reason(error)) from error


def reason(error: BaseException) -> str:
    """A failure's cause in one short line: the database driver's own message where there is
    one (SQLAlchemy wraps it), else the error's."""
    return str(getattr(error, "orig", None) or error).splitlines()[0][:200]
