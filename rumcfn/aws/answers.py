"""Answers rumcfn can trust to be AWS's: every client :class:`rumcfn.aws.session.Aws` hands out is a
:class:`CheckedClient`, so the call sites index answers as AWS documents them and never see a traceback.

- An answer botocore cannot read (random bytes, an HTML captive portal, XML of another shape) is
  :class:`~rumcfn.aws.errors.MalformedAnswer`, whatever botocore's parser raised (``ResponseParserError``,
  ``KeyError``, ``xml.etree.ElementTree.ParseError``, ``UnicodeDecodeError`` ...).
- An answer that came over HTTP without a request id is not AWS's: every AWS API answer carries one, in the
  ``x-amzn-RequestId`` / ``x-amz-request-id`` header or the query protocol's ``ResponseMetadata``, and botocore
  puts it in ``ResponseMetadata.RequestId`` (S3 API reference, "Common response headers"; botocore's parsers).
- An answer lacking what the code reads (``answer["Stacks"][0]``, ``created["Id"]``) is MalformedAnswer at the
  place it is read: answers are :class:`Answer` dicts and :class:`AnswerList` lists that name the operation
  and the path when a key or an item is missing.
- A listing goes on for at most ``max_pages`` pages (an endpoint may hand out a new page token forever); then
  :class:`~rumcfn.aws.errors.TooManyPages`. botocore's own paginator only stops a token that repeats.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from rumcfn.aws.errors import MalformedAnswer, TooManyPages
from rumcfn.errors import RumcfnError
from rumcfn.text import clipped, printable


class Answer(dict):
    """A dict from an AWS answer to ``operation``, found at ``path`` in it: a missing key is the endpoint's fault,
    said in one line."""

    def __init__(self, items: Any, operation: str, path: str = "") -> None:
        super().__init__(items)
        self.operation, self.path = operation, path

    def __missing__(self, key: Any) -> Any:
        raise MalformedAnswer(self.operation, f"{self.path} has no {key}" if self.path else f"no {key}")


class AnswerList(list):
    """A list from an AWS answer: a missing item (``[0]`` of an empty list) is the endpoint's fault."""

    def __init__(self, items: Any, operation: str, path: str) -> None:
        super().__init__(items)
        self.operation, self.path = operation, path

    def __getitem__(self, index: Any) -> Any:
        try:
            return super().__getitem__(index)
        except IndexError:
            size = f"it has {len(self)}" if self else "it is empty"
            raise MalformedAnswer(self.operation, f"{self.path} has no item {index} ({size})") from None


def wrap(value: Any, operation: str, path: str = "") -> Any:
    """``value`` with every dict an :class:`Answer` and every list an :class:`AnswerList`, each knowing its path."""
    if isinstance(value, dict):
        return Answer({key: wrap(item, operation, f"{path}.{key}" if path else str(key))
                       for key, item in value.items()}, operation, path)
    if isinstance(value, list):
        return AnswerList([wrap(item, operation, f"{path}[{index}]") for index, item in enumerate(value)],
                          operation, path)
    return value


def checked_answer(answer: Any, operation: str, endpoint: str) -> Any:
    """The answer, wrapped; refused when it came over HTTP without AWS's request id."""
    metadata = answer.get("ResponseMetadata") if isinstance(answer, dict) else None
    if isinstance(metadata, dict) and "HTTPHeaders" in metadata and not metadata.get("RequestId"):
        raise MalformedAnswer(operation, f"no request id, so {endpoint} is not an AWS endpoint "
                                         "(a captive portal or proxy page?)")
    return wrap(answer, operation)


def unreadable(error: Exception, operation: str, endpoint: str) -> RumcfnError | None:
    """The one-line error for an exception a client call raised while reading an answer, or None for the ones
    that have their own translation: botocore's errors (:func:`rumcfn.aws.errors.translate`) and rumcfn's."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, (RumcfnError, BotoCoreError, ClientError)):
        return None
    detail = printable(clipped(" ".join(f"{type(error).__name__}: {error}".split()), 160))  # whatever it sent
    return MalformedAnswer(operation, f"{endpoint} sent something botocore cannot read ({detail})")


class CheckedClient:
    """A botocore client whose operations return checked answers and whose paginators stop after ``max_pages``.

    Everything else (``meta``, ``exceptions``, ``get_waiter``, ``can_paginate``) is the client's own."""

    def __init__(self, client: Any, max_pages: int) -> None:
        self._client, self._max_pages = client, max_pages
        self._operations = client.meta.method_to_api_mapping

    @property
    def raw(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._operations:
            return attribute
        return self._checked(attribute, self._operations[name])

    def _checked(self, method: Callable[..., Any], operation: str) -> Callable[..., Any]:
        endpoint = self._client.meta.endpoint_url

        def call(**kwargs: Any) -> Any:
            try:
                answer = method(**kwargs)
            except Exception as error:
                mapped = unreadable(error, operation, endpoint)
                if mapped is None:
                    raise
                raise mapped from error
            return checked_answer(answer, operation, endpoint)

        call.__name__ = method.__name__
        return call

    def get_paginator(self, name: str) -> CheckedPaginator:
        return CheckedPaginator(self._client.get_paginator(name), self._operations[name],
                                self._client.meta.endpoint_url, self._max_pages)


class CheckedPaginator:
    """boto3's paginator for one operation, its pages checked like answers and counted."""

    def __init__(self, paginator: Any, operation: str, endpoint: str, max_pages: int) -> None:
        self._paginator, self._operation, self._endpoint, self._max_pages = paginator, operation, endpoint, max_pages

    def paginate(self, **kwargs: Any) -> Iterator[Any]:
        pages = iter(self._paginator.paginate(**kwargs))
        count = 0
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except Exception as error:
                mapped = unreadable(error, self._operation, self._endpoint)
                if mapped is None:
                    raise
                raise mapped from error
            count += 1
            if count > self._max_pages:
                raise TooManyPages(self._operation, self._max_pages, self._endpoint)
            yield checked_answer(page, f"{self._operation} page {count}", self._endpoint)
