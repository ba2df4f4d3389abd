"""One error hierarchy for the library, the CLI and the web app.

Each class carries its exit code and HTTP status, so the CLI and the Flask error
handler map failures in one place and never show a traceback for bad input.
"""
from __future__ import annotations


class KGError(Exception):
    """Base class: a failure we can explain to the user."""

    exit_code = 1
    http_status = 500
    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column

    def where(self) -> str:
        """'file:line:col' prefix in the style compilers use, so editors can jump to it."""
        parts = [p for p in (self.source, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self):  # keep source/line when errors cross process boundaries
        return (_rebuild, (type(self), self.__dict__.copy()))

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.kind,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "column": self.column,
        }


class UsageError(KGError):
    """The command or request itself is wrong (unknown option, missing argument)."""

    exit_code = 2
    http_status = 400
    kind = "usage"


class InputError(KGError):
    """User-supplied data is malformed; nothing was written."""

    exit_code = 1
    http_status = 400
    kind = "invalid-input"


class ReportFormatError(InputError):
    """A results report breaks a rule of the report format."""

    kind = "report-format"


class RDFSyntaxError(InputError):
    """An RDF file or payload cannot be parsed."""

    kind = "rdf-syntax"


class QueryError(InputError):
    """A SPARQL query is malformed or not allowed."""

    kind = "query"


class ResultTooLarge(QueryError):
    """A result has more rows (or triples) than the endpoint's cap; nothing is sent, so no program reads a
    cut result as whole (a count through a federating engine stays honest)."""

    http_status = 422
    kind = "result-too-large"


class ReadOnly(KGError):
    """A write was sent to the read-only SPARQL endpoint; nothing changed."""

    exit_code = 1
    http_status = 403
    kind = "read-only"


class QueryTimeout(KGError):
    """A query ran past the time limit; its process was killed."""

    exit_code = 1
    http_status = 503
    kind = "timeout"


class Busy(KGError):
    """Every query process is in use; the client may retry."""

    exit_code = 1
    http_status = 503
    kind = "busy"


class ValidationFailed(KGError):
    """The graph we built (or were given) violates the SHACL shapes."""

    exit_code = 1
    http_status = 422
    kind = "validation"

    def __init__(self, message: str, report: object, **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.report = report


class UnsupportedMediaType(KGError):
    """A request body in a media type or charset we do not read."""

    exit_code = 2
    http_status = 415
    kind = "unsupported-media-type"


class NotFound(KGError):
    exit_code = 1
    http_status = 404
    kind = "not-found"


class NotAcceptable(KGError):
    exit_code = 2
    http_status = 406
    kind = "not-acceptable"


class StoreError(KGError):
    """The store cannot be opened, read or written; the published data is untouched."""

    exit_code = 3
    http_status = 500
    kind = "store"


class RemoteError(StoreError):
    """A remote SPARQL store refused a request or cannot be reached; nothing half-written stays there."""

    exit_code = 3
    http_status = 502
    kind = "remote"


class RemoteTimeout(RemoteError):
    """A remote SPARQL store did not answer within the time allowed."""

    http_status = 504
    kind = "remote-timeout"


class OutputError(KGError):
    """An output file or folder cannot be written; nothing was replaced."""

    exit_code = 3
    http_status = 500
    kind = "output"


class BuildErrors(InputError):
    """Every report that failed in one build, so one run shows all of them."""

    kind = "build"

    def __init__(self, errors: list[KGError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
        self.exit_code = max(e.exit_code for e in errors)

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type, state: dict) -> KGError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err
