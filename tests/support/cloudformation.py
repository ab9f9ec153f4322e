"""A CloudFormation stand-in on 127.0.0.1 that speaks the API's query protocol (form-encoded requests, XML answers,
both read from and written by botocore's own service model) for the calls a deploy makes, and ENFORCES a request
rate: past it, it answers as CloudFormation does, HTTP 400 with error code ``Throttling`` and "Rate exceeded".

So requests go through a real botocore client: its serializer, retry modes (the adaptive mode's client-side rate
limiter included) and parser. CloudFormation's rate is the account's, shared with its other callers: ``busy = n``
makes the next n requests find it spent by them (throttled at a moment the test chooses, not when a loaded machine
happens to send fast enough). Stacks move in time (an executed change set leaves the stack IN_PROGRESS for
``operation_seconds``); the stand-in records the most requests in flight at once and the most stacks being
changed at once (a change set created and not yet settled), which a bounded fleet deploy must keep to its bound.

IMPORT change sets are held to CloudFormation's import rules: every resource to import is in the template with a
DeletionPolicy, its ResourceIdentifier names exactly the type schema's primaryIdentifier (cfn-lint's schemas) with
the value the template gives that property, and the template has nothing else new (no other resources, no
Outputs: "As part of the import operation, you cannot modify or add [Outputs]").
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from tests.support.http import QuietHandler, Server

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


def service_model(name: str = "cloudformation") -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(name)


# --- the query protocol, from the model --------------------------------------------------------------------------

def parse_query(shape: Any, form: dict[str, str], prefix: str = "") -> Any:
    """A request's form fields as the data botocore serialized, read by the operation's input shape."""
    kind = shape.type_name
    if kind == "structure":
        result = {}
        for name, member in shape.members.items():
            member_name = member.serialization.get("name", name)
            key = f"{prefix}.{member_name}" if prefix else member_name
            value = parse_query(member, form, key)
            if value is not None:
                result[name] = value
        return result if result or not prefix else None
    if kind == "list":
        items = []
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.member"
        for index in itertools.count(1):
            item = parse_query(shape.member, form, f"{base}.{index}")
            if item is None:
                break
            items.append(item)
        if not items and f"{prefix}" in form and form[prefix] == "":
            return []
        return items or None
    if kind == "map":
        result = {}
        for index in itertools.count(1):
            key = form.get(f"{prefix}.entry.{index}.key")
            if key is None:
                break
            result[key] = parse_query(shape.value, form, f"{prefix}.entry.{index}.value")
        return result or None
    if prefix not in form:
        return None
    text = form[prefix]
    if kind == "boolean":
        return text == "true"
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("double", "float"):
        return float(text)
    return text


def to_xml(shape: Any, value: Any, name: str) -> str:
    """``value`` as the XML element ``name`` of ``shape`` (what botocore's query parser reads back)."""
    kind = shape.type_name
    if kind == "structure":
        inner = "".join(to_xml(member, value[key], member.serialization.get("name", key))
                        for key, member in shape.members.items() if value.get(key) is not None)
    elif kind == "list":
        inner = "".join(to_xml(shape.member, item, "member") for item in value)
    elif kind == "map":
        inner = "".join(f"<entry>{to_xml(shape.key, k, 'key')}{to_xml(shape.value, v, 'value')}</entry>"
                        for k, v in value.items())
    elif kind == "boolean":
        inner = "true" if value else "false"
    elif kind == "timestamp":
        inner = value.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(value, datetime) else str(value)
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


def answer(operation: Any, result: dict) -> bytes:
    wrapper = operation.output_shape.serialization.get("resultWrapper") if operation.output_shape else None
    body = to_xml(operation.output_shape, result, wrapper) if wrapper else ""
    return (f'<{operation.name}Response xmlns="{NAMESPACE}">{body}'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
            f"</{operation.name}Response>").encode()


def error_xml(code: str, message: str) -> bytes:
    return (f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
            "</ErrorResponse>").encode()


class Refused(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# --- the service ---------------------------------------------------------------------------------------------------

def primary_identifier(resource_type: str) -> list[str]:
    """The type's primaryIdentifier property names, from cfn-lint's copy of the CloudFormation registry schema."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, resource_type).schema
    return [pointer.rsplit("/", 1)[-1] for pointer in schema["primaryIdentifier"]]


class RateLimit:
    """A token bucket: ``rate`` requests a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.stamp = clock()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class CloudFormation:
    """Stacks, change sets and events, as the API shows them; ``fail`` names stacks whose next create or update
    fails (a resource fails and CloudFormation rolls back)."""

    def __init__(self, rate: float = 50.0, burst: int = 20, operation_seconds: float = 0.05,
                 change_set_seconds: float = 0.02) -> None:
        self.model = service_model()
        self.limit = RateLimit(rate, burst)
        self.operation_seconds, self.change_set_seconds = operation_seconds, change_set_seconds
        self.stacks: dict[str, dict] = {}  # by name
        self.change_sets: dict[str, dict] = {}  # by id (ARN)
        self.fail: set[str] = set()
        self.objects: dict[str, str] = {}  # template URL -> body (what S3 would hold)
        self.lock = threading.RLock()
        self.calls: list[tuple[str, dict]] = []
        self.throttled = 0
        self.busy = 0  # the next requests to find the account's rate spent by its other callers
        self.in_flight = self.max_in_flight = 0
        self.changing: set[str] = set()  # stacks with a change set or operation not yet settled
        self.max_changing = 0

    # bookkeeping
    def count(self, operation: str) -> int:
        return sum(1 for name, _ in self.calls if name == operation)

    def _changing(self, name: str, on: bool) -> None:
        (self.changing.add if on else self.changing.discard)(name)
        self.max_changing = max(self.max_changing, len(self.changing))

    def handle(self, form: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            with self.lock:
                spent = self.busy > 0
                self.busy -= spent
            if spent or not self.limit.take():
                with self.lock:
                    self.throttled += 1
                return 400, error_xml("Throttling", "Rate exceeded")
            operation = self.model.operation_model(form["Action"])
            request = parse_query(operation.input_shape, form) if operation.input_shape else {}
            with self.lock:
                self.calls.append((operation.name, request))
                try:
                    return 200, answer(operation, getattr(self, operation.name)(request))
                except Refused as refused:
                    return refused.status, error_xml(refused.code, refused.message)
        finally:
            with self.lock:
                self.in_flight -= 1

    # time
    def _advance(self, stack: dict) -> None:
        """Settle the stack's operation once its time has come."""
        done = stack.get("done_at")
        if done is None or time.monotonic() < done:
            return
        stack["done_at"] = None
        kind = stack["StackStatus"].split("_", 1)[0]
        failing = stack["StackName"] in self.fail and kind != "IMPORT"
        if failing:
            self._event(stack, "AppMonitor", "AWS::RUM::AppMonitor", f"{kind}_FAILED",
                        "Resource handler returned message: \"Invalid request provided\" (HandlerErrorCode: "
                        "InvalidRequest)")
            final = "ROLLBACK_COMPLETE" if kind == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
            if kind == "UPDATE":
                stack.update(stack.pop("previous"))
        else:
            for logical, resource in (stack["template"].get("Resources") or {}).items():
                self._event(stack, logical, resource.get("Type", ""), f"{kind}_COMPLETE")
            final = f"{kind}_COMPLETE"
            stack.pop("previous", None)
        stack["StackStatus"] = final
        self._event(stack, stack["StackName"], "AWS::CloudFormation::Stack", final)
        self._changing(stack["StackName"], False)

    def _event(self, stack: dict, logical: str, kind: str, status: str, reason: str = "") -> None:
        physical = stack["StackId"] if kind == "AWS::CloudFormation::Stack" else f"{logical}-physical"
        event = {"StackId": stack["StackId"], "EventId": str(uuid.uuid4()), "StackName": stack["StackName"],
                 "LogicalResourceId": logical, "PhysicalResourceId": physical, "ResourceType": kind,
                 "Timestamp": datetime.now(timezone.utc), "ResourceStatus": status}
        if reason:
            event["ResourceStatusReason"] = reason
        stack["events"].insert(0, event)

    def _stack(self, name_or_id: str) -> dict | None:
        for stack in self.stacks.values():
            if name_or_id in (stack["StackName"], stack["StackId"]):
                self._advance(stack)
                return stack
        return None

    def _missing(self, name: str) -> Refused:
        return Refused("ValidationError", f"Stack with id {name} does not exist")

    # the API
    def DescribeStacks(self, request: dict) -> dict:  # noqa: N802 - the API's name
        name = request.get("StackName")
        if name is None:
            return {"Stacks": [self._view(s) for s in self.stacks.values()]}
        stack = self._stack(name)
        if stack is None:
            raise self._missing(name)
        return {"Stacks": [self._view(stack)]}

    def _view(self, stack: dict) -> dict:
        keys = ("StackId", "StackName", "StackStatus", "CreationTime", "Parameters", "Outputs", "Capabilities",
                "EnableTerminationProtection", "Tags")
        return {key: stack[key] for key in keys if stack.get(key) is not None}

    def DescribeStackEvents(self, request: dict) -> dict:  # noqa: N802
        stack = self._stack(request["StackName"])
        if stack is None:
            raise self._missing(request["StackName"])
        return {"StackEvents": list(stack["events"])}

    def CreateChangeSet(self, request: dict) -> dict:  # noqa: N802
        name, kind = request["StackName"], request.get("ChangeSetType", "UPDATE")
        stack = self._stack(name)
        body = request.get("TemplateBody")
        if body is None:
            body = self.objects.get(request.get("TemplateURL", ""))
        if body is None:
            raise Refused("ValidationError", f"TemplateURL {request.get('TemplateURL')}: no such object")
        template = json.loads(body)
        if kind in ("CREATE", "IMPORT") and stack is not None and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
            raise Refused("AlreadyExistsException", f"Stack [{name}] already exists")
        if kind == "UPDATE" and stack is None:
            raise self._missing(name)
        if stack is not None and not stack["StackStatus"].endswith("_COMPLETE") \
                and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
            raise Refused("ValidationError", f"Stack:{stack['StackId']} is in {stack['StackStatus']} state and can "
                                             "not be updated.")
        self._check_parameters(template, request.get("Parameters") or [], stack)
        if kind == "IMPORT":
            self._check_import(template, request.get("ResourcesToImport") or [], stack)
        if stack is None:
            stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/{uuid.uuid4()}"
            stack = {"StackId": stack_id, "StackName": name, "StackStatus": "REVIEW_IN_PROGRESS",
                     "CreationTime": datetime.now(timezone.utc), "events": [], "template": {}, "Parameters": [],
                     "body": None}
            self.stacks[name] = stack
            self._event(stack, name, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS")
        change_set_id = (f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/{request['ChangeSetName']}/"
                         f"{uuid.uuid4()}")
        parameters = self._resolved_parameters(template, request.get("Parameters") or [], stack)
        empty = kind == "UPDATE" and body == stack["body"] and parameters == stack["Parameters"]
        self.change_sets[change_set_id] = {
            "ChangeSetId": change_set_id, "ChangeSetName": request["ChangeSetName"], "StackId": stack["StackId"],
            "StackName": name, "kind": kind, "body": body, "template": template, "Parameters": parameters,
            "ready_at": time.monotonic() + self.change_set_seconds, "empty": empty,
            "Changes": [] if empty else self._changes(template, stack, request.get("ResourcesToImport") or []),
            "Capabilities": request.get("Capabilities"), "Outputs": self._outputs(template, name),
        }
        self._changing(name, True)
        return {"Id": change_set_id, "StackId": stack["StackId"]}

    def _check_parameters(self, template: dict, given: list[dict], stack: dict | None) -> None:
        declared = template.get("Parameters") or {}
        keys = {p["ParameterKey"] for p in given}
        for key in keys - set(declared):
            raise Refused("ValidationError", f"Parameters: [{key}] do not exist in the template")
        missing = [k for k, p in declared.items() if k not in keys and "Default" not in p]
        if missing:
            raise Refused("ValidationError", f"Parameters: [{', '.join(missing)}] must have values")

    def _resolved_parameters(self, template: dict, given: list[dict], stack: dict) -> list[dict]:
        previous = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters") or []}
        values = {}
        for p in given:
            values[p["ParameterKey"]] = previous[p["ParameterKey"]] if p.get("UsePreviousValue") \
                else p["ParameterValue"]
        for key, declared in (template.get("Parameters") or {}).items():
            values.setdefault(key, str(declared.get("Default", "")))
        return [{"ParameterKey": k, "ParameterValue": values[k]} for k in sorted(values)]

    def _check_import(self, template: dict, resources: list[dict], stack: dict | None) -> None:
        existing = set((stack or {}).get("template", {}).get("Resources") or {})
        importing = {r["LogicalResourceId"]: r for r in resources}
        declared = template.get("Resources") or {}
        if not importing:
            raise Refused("ValidationError", "ResourcesToImport must name at least one resource")
        for logical, entry in importing.items():
            resource = declared.get(logical)
            if resource is None or resource.get("Type") != entry["ResourceType"]:
                raise Refused("ValidationError", f"Resource {logical} of type {entry['ResourceType']} is not in the "
                                                 "template")
            if "DeletionPolicy" not in resource:
                raise Refused("ValidationError", f"The following resources to import [{logical}] must have "
                                                 "DeletionPolicy attribute specified in the template.")
            wanted = primary_identifier(entry["ResourceType"])
            identifier = entry["ResourceIdentifier"]
            if sorted(identifier) != sorted(wanted):
                raise Refused("ValidationError", f"ResourceIdentifier of {logical} must name {wanted}")
            for key in wanted:
                if (resource.get("Properties") or {}).get(key) != identifier[key]:
                    raise Refused("ValidationError", f"{logical}: property {key} must be {identifier[key]} in the "
                                                     "template to import it")
        new = set(declared) - existing - set(importing)
        if new:
            raise Refused("ValidationError", f"As part of the import operation, you cannot create new resources "
                                             f"({', '.join(sorted(new))})")
        if template.get("Outputs") and template.get("Outputs") != (stack or {}).get("template", {}).get("Outputs"):
            raise Refused("ValidationError", "As part of the import operation, you cannot modify or add [Outputs]")

    def _changes(self, template: dict, stack: dict, imports: list[dict]) -> list[dict]:
        importing = {r["LogicalResourceId"] for r in imports}
        before = stack.get("template", {}).get("Resources") or {}
        changes = []
        for logical, resource in (template.get("Resources") or {}).items():
            action = "Import" if logical in importing else ("Modify" if logical in before else "Add")
            changes.append({"Type": "Resource", "ResourceChange": {
                "Action": action, "LogicalResourceId": logical, "ResourceType": resource.get("Type", "")}})
        for logical, resource in before.items():
            if logical not in (template.get("Resources") or {}):
                changes.append({"Type": "Resource", "ResourceChange": {
                    "Action": "Remove", "LogicalResourceId": logical, "ResourceType": resource.get("Type", "")}})
        return changes

    def _outputs(self, template: dict, name: str) -> list[dict]:
        return [{"OutputKey": key, "OutputValue": f"{name}-{key}"} for key in (template.get("Outputs") or {})]

    def _change_set(self, request: dict) -> dict:
        change_set = self.change_sets.get(request["ChangeSetName"])
        if change_set is None:
            raise Refused("ChangeSetNotFound", f"ChangeSet [{request['ChangeSetName']}] does not exist", 404)
        return change_set

    def DescribeChangeSet(self, request: dict) -> dict:  # noqa: N802
        change_set = self._change_set(request)
        status, reason, execution = "CREATE_PENDING", None, "UNAVAILABLE"
        if time.monotonic() >= change_set["ready_at"]:
            if change_set["empty"]:
                status, reason = "FAILED", ("The submitted information didn't contain changes. Submit different "
                                            "information to create a change set.")
            else:
                status, execution = "CREATE_COMPLETE", "AVAILABLE"
        view = {key: change_set[key] for key in ("ChangeSetId", "ChangeSetName", "StackId", "StackName",
                                                 "Parameters", "Changes")}
        view.update(Status=status, ExecutionStatus=execution)
        if reason:
            view["StatusReason"] = reason
        return view

    def DeleteChangeSet(self, request: dict) -> dict:  # noqa: N802
        change_set = self.change_sets.pop(self._change_set(request)["ChangeSetId"])
        stack = self.stacks.get(change_set["StackName"])
        if stack is not None and not stack.get("done_at"):
            self._changing(change_set["StackName"], False)
        return {}

    def DeleteStack(self, request: dict) -> dict:  # noqa: N802
        stack = self._stack(request["StackName"])
        if stack is not None:
            del self.stacks[stack["StackName"]]
            self._changing(stack["StackName"], False)
        return {}

    def ExecuteChangeSet(self, request: dict) -> dict:  # noqa: N802
        change_set = self._change_set(request)
        if change_set["empty"] or time.monotonic() < change_set["ready_at"]:
            raise Refused("InvalidChangeSetStatus", "ChangeSet is in an invalid status for execution")
        stack = self.stacks[change_set["StackName"]]
        kind = {"CREATE": "CREATE", "IMPORT": "IMPORT"}.get(change_set["kind"], "UPDATE")
        if kind == "UPDATE":
            stack["previous"] = {k: stack[k] for k in ("template", "body", "Parameters", "Outputs")}
        stack.update(template=change_set["template"], body=change_set["body"], Parameters=change_set["Parameters"],
                     Outputs=change_set["Outputs"], Capabilities=change_set["Capabilities"],
                     StackStatus=f"{kind}_IN_PROGRESS", done_at=time.monotonic() + self.operation_seconds)
        self._event(stack, stack["StackName"], "AWS::CloudFormation::Stack", f"{kind}_IN_PROGRESS")
        del self.change_sets[change_set["ChangeSetId"]]
        return {}

    def GetTemplate(self, request: dict) -> dict:  # noqa: N802
        stack = self._stack(request["StackName"])
        if stack is None:
            raise self._missing(request["StackName"])
        return {"TemplateBody": stack["body"] or "{}"}


class CloudFormationServer(Server):
    """:class:`CloudFormation` served on 127.0.0.1 (its ``url`` is the endpoint for a botocore client)."""

    def __init__(self, service: CloudFormation) -> None:
        self.service = service

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                form = dict(parse_qsl(self.body().decode(), keep_blank_values=True))
                status, body = self.server_obj.service.handle(form)
                self.reply(status, body, "text/xml")

        self.handler = Handler
        super().__init__()


@contextmanager
def served(service: CloudFormation, region: str = "us-east-1") -> Iterator[tuple[CloudFormation, Any]]:
    """``service`` on 127.0.0.1, and rumcfn's ``Aws`` pointed at it; the server closes after the block."""
    from rumcfn.aws.session import Aws

    server = CloudFormationServer(service)
    try:
        yield service, Aws(region=region, endpoint_url=server.url)
    finally:
        server.close()
