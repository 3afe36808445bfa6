"""Checks deploy/k8s without a cluster; run by deploy/k8s/check inside its venv.

1. Renders each overlay with a small Python implementation of the part of Kustomize the
   manifests use (resources, namespace, configMapGenerator with the hash suffix, patches:
   strategic merge and JSON 6902, replicas, images). Anything else in a kustomization.yaml is
   refused, so the manifests cannot drift beyond what is checked. When a Kustomize v5 binary is
   at hand (`kustomize`, or `kubectl kustomize`), its output must equal ours.
2. Validates every rendered object against the Kubernetes OpenAPI schemas (kubernetes-validate,
   strict: unknown fields are errors) for each version asked for; KEDA's kinds are checked
   against the subset of KEDA's CRD schema written below, plus rules for the rabbitmq trigger.
3. Applies the project's rules (probes, resources, security contexts, the 7 services, KEDA on
   analysis.requests, Secrets only by reference, ...).

Prints `k8s: <check>: ok` per check, details of failures on stderr; exits 1 on any failure.
  python check_manifests.py REPO_ROOT [--versions 1.31,1.37] [--print OVERLAY]
"""

from __future__ import annotations

import argparse
import copy
import functools
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

SERVICES = ["gateway", "auth", "loans", "approvals", "analysis-worker", "notifications", "analytics"]
OVERLAYS = ["dev", "prod"]
WORK_QUEUE = "analysis.requests"
# Environment variables that hold credentials: only ever from a Secret (secretKeyRef).
SECRET_ENV = {"RABBITMQ_URL", "REDIS_URL", "DATABASE_URL", "BOOTSTRAP_SUPER_ADMIN_PASSWORD",
              "SMTP_USERNAME", "SMTP_PASSWORD", "AUTH_JWT_PRIVATE_KEY"}
# Who needs which connection (README.md, "Configuration").
NEEDS = {
    "RABBITMQ_URL": set(SERVICES),
    "REDIS_URL": {"gateway", "auth", "loans"},
    "DATABASE_URL": {"auth", "loans", "approvals", "notifications", "analytics"},
}
# Folders a service writes (the root filesystem is read-only): env variable -> service.
WRITABLE_DIRS = {"BLOB_DIR": "gateway", "MAIL_DIR": "notifications"}
USERINFO_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@", re.I)


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The Kustomize subset

KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "namespace", "configMapGenerator", "patches",
                      "images", "replicas"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
                  "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
                  "ClusterTriggerAuthentication"}
WORKLOADS = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}
# Kustomize's legacy output order (kinds not listed come after, by name).
KIND_ORDER = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
              "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints",
              "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
              "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"]
GEN = "__generated_name"  # marks a generated ConfigMap until its hashed name is set


def load_docs(path: Path) -> list[dict]:
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "metadata" not in d:
            raise Failure(f"{path}: every document must be a Kubernetes object")
    return docs


def group_of(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def is_builtin(obj: dict) -> bool:
    """Kinds Kustomize knows the schema of (strategic merge keys); CRDs merge lists by replacing."""
    g = group_of(obj.get("apiVersion", ""))
    return g == "" or g.endswith(".k8s.io") or "." not in g


def merge_key(kind: str, path: list[str], field: str) -> str | None:
    """The strategic-merge key of a list (None: the patch's list replaces the target's)."""
    if field in ("containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets"):
        return "name"
    if field == "volumeMounts":
        return "mountPath"
    if field in ("ports", "topologySpreadConstraints", "volumeDevices", "hostAliases"):
        # Kustomize merges these by composite keys (port + protocol, ...) in ways of its own.
        raise Failure(f"{kind}: strategic merge into {'/'.join(path + [field])} is not supported by the "
                      "checker's renderer; use a JSON 6902 patch")
    return None


def strategic_merge(dst: dict, patch: dict, kind: str, builtin: bool, path: list[str]) -> None:
    for key, value in patch.items():
        if isinstance(key, str) and key.startswith("$"):
            raise Failure(f"strategic merge directive {key} at {'/'.join(path) or '/'} is not supported")
        if value is None:
            dst.pop(key, None)
        elif isinstance(value, dict) and isinstance(dst.get(key), dict):
            strategic_merge(dst[key], value, kind, builtin, path + [key])
        elif (isinstance(value, list) and isinstance(dst.get(key), list) and builtin
              and (mk := merge_key(kind, path, key))
              and all(isinstance(i, dict) for i in value + dst[key])):
            # As Kustomize (kyaml) orders them: the patch's items first, in the patch's order
            # (merged into their match), then the items only the target has, in its order.
            merged = []
            for item in value:
                if "$patch" in item:
                    raise Failure(f"$patch in the list {key} is not supported")
                match = next((d for d in dst[key] if d.get(mk) == item.get(mk)), None)
                if match is None:
                    merged.append(copy.deepcopy(item))
                else:
                    strategic_merge(match, item, kind, builtin, path + [key, str(item.get(mk))])
                    merged.append(match)
            keys = {item.get(mk) for item in value}
            dst[key] = merged + [d for d in dst[key] if d.get(mk) not in keys]
        else:
            dst[key] = copy.deepcopy(value)


def json_pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise Failure(f"JSON patch path {path!r} must start with /")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json6902(obj: dict, ops: list) -> None:
    for op in ops:
        kind, parts = op.get("op"), json_pointer(op.get("path", ""))
        if kind not in ("add", "remove", "replace", "test"):
            raise Failure(f"JSON patch op {kind!r} is not supported")
        parent = obj
        for p in parts[:-1]:
            try:
                parent = parent[int(p)] if isinstance(parent, list) else parent[p]
            except (KeyError, IndexError, ValueError):
                raise Failure(f"JSON patch {kind} {op['path']}: no such path") from None
        last = parts[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(index, copy.deepcopy(op["value"]))
                continue
            if not 0 <= index < len(parent):
                raise Failure(f"JSON patch {kind} {op['path']}: index out of range")
        elif kind != "add" and last not in parent:
            raise Failure(f"JSON patch {kind} {op['path']}: no such path")
        else:
            index = last
        if kind in ("add", "replace"):
            parent[index] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del parent[index]
        elif parent[index] != op.get("value"):
            raise Failure(f"JSON patch test {op['path']} failed")


def label_selector_matches(selector: str, labels: dict) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        m = re.fullmatch(r"([^!=\s]+)\s*(==|=|!=)\s*(\S*)", term)
        if not m:
            raise Failure(f"label selector term {term!r} is not supported (only =, ==, !=)")
        key, op, value = m.groups()
        if (labels.get(key) == value) != (op != "!="):
            return False
    return True


def target_matches(target: dict, obj: dict) -> bool:
    unknown = set(target) - {"group", "version", "kind", "name", "namespace", "labelSelector"}
    if unknown:
        raise Failure(f"patch target fields {sorted(unknown)} are not supported")
    meta = obj["metadata"]
    api = obj.get("apiVersion", "")
    checks = [("group", group_of(api)), ("version", api.split("/")[-1]), ("kind", obj["kind"]),
              ("name", meta.get(GEN, meta["name"])), ("namespace", meta.get("namespace", ""))]
    for field, actual in checks:
        if field in target and not re.fullmatch(str(target[field]), actual):
            return False
    return "labelSelector" not in target or label_selector_matches(target["labelSelector"], meta.get("labels", {}))


def apply_patch(objs: list[dict], entry: dict, base: Path) -> list[dict]:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise Failure(f"patch fields {sorted(unknown)} are not supported")
    if ("path" in entry) == ("patch" in entry):
        raise Failure("a patch needs exactly one of path or patch")
    where = entry.get("path", "inline patch")
    text = (base / entry["path"]).read_text() if "path" in entry else entry["patch"]
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    if len(docs) != 1:
        raise Failure(f"{where}: one patch document per patch (Kustomize refuses several)")
    patch = docs[0]
    if isinstance(patch, list):  # JSON 6902
        if "target" not in entry:
            raise Failure(f"{where}: a JSON 6902 patch needs a target")
        targets = [o for o in objs if target_matches(entry["target"], o)]
    else:
        if "target" in entry:
            targets = [o for o in objs if target_matches(entry["target"], o)]
        else:
            want = (group_of(patch.get("apiVersion", "")), patch.get("kind"), patch["metadata"]["name"])
            targets = [o for o in objs
                       if (group_of(o["apiVersion"]), o["kind"], o["metadata"].get(GEN, o["metadata"]["name"])) == want]
    if not targets:
        raise Failure(f"{where}: the patch matches no object")
    for obj in targets:
        if isinstance(patch, list):
            json6902(obj, patch)
        elif patch.get("$patch") == "delete":
            objs = [o for o in objs if o is not obj]
        else:
            body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
            body["metadata"] = {k: v for k, v in body.get("metadata", {}).items() if k not in ("name", "namespace")}
            if not body["metadata"]:
                del body["metadata"]
            strategic_merge(obj, body, obj["kind"], is_builtin(obj), [])
    return objs


def parse_image(image: str) -> tuple[str, str | None, str | None]:
    name, _, digest = image.partition("@")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest or None


def set_images(node, images: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            set_images(item, images)
        return
    if not isinstance(node, dict):
        return
    for field in ("containers", "initContainers", "ephemeralContainers"):
        for c in node.get(field) or []:
            if not isinstance(c, dict) or "image" not in c:
                continue
            name, tag, digest = parse_image(c["image"])
            for im in images:
                if im["name"] == name:
                    name = im.get("newName", name)
                    if "digest" in im:
                        tag, digest = None, im["digest"]
                    elif "newTag" in im:
                        tag, digest = str(im["newTag"]), None
                    c["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
                    break
    for key, value in node.items():
        if key not in ("containers", "initContainers", "ephemeralContainers"):
            set_images(value, images)


def parse_literal(literal: str) -> tuple[str, str]:
    key, sep, value = str(literal).partition("=")
    if not sep or not re.fullmatch(r"[-._a-zA-Z0-9]+", key):
        raise Failure(f"configMapGenerator literal {literal!r}: not KEY=VALUE")
    if value[:1] in ("'", '"'):
        raise Failure(f"configMapGenerator literal {literal!r}: quoted values are not supported")
    return key, value


def config_map_hash(data: dict) -> str:
    """Kustomize's name suffix: sha256 of the ConfigMap's kind, data and (empty) name, as Go's
    encoding/json writes them, first 10 hex digits with 0 1 3 a e replaced (no vowels, no 0/1)."""
    text = json.dumps({"data": data, "kind": "ConfigMap", "name": ""}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}))


def rename_config_map_refs(node, renames: dict) -> None:
    if isinstance(node, list):
        for item in node:
            rename_config_map_refs(item, renames)
    elif isinstance(node, dict):
        for key in ("configMapRef", "configMapKeyRef", "configMap"):
            ref = node.get(key)
            if isinstance(ref, dict) and ref.get("name") in renames:
                ref["name"] = renames[ref["name"]]
        for value in node.values():
            rename_config_map_refs(value, renames)


def build_level(directory: Path) -> list[dict]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise Failure(f"{directory}: no kustomization.yaml")
    k = yaml.safe_load(path.read_text()) or {}
    unknown = set(k) - KUSTOMIZATION_KEYS
    if unknown:
        raise Failure(f"{path}: {sorted(unknown)} not supported by this checker's renderer")
    objs: list[dict] = []
    for r in k.get("resources", []):
        p = directory / r
        objs += build_level(p) if p.is_dir() else load_docs(p)
    for g in k.get("configMapGenerator", []):
        unknown = set(g) - {"name", "behavior", "literals"}
        if unknown:
            raise Failure(f"{path}: configMapGenerator fields {sorted(unknown)} not supported")
        data = dict(parse_literal(lit) for lit in g.get("literals", []))
        existing = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"].get(GEN) == g["name"]]
        behavior = g.get("behavior", "create")
        if behavior == "create":
            if existing:
                raise Failure(f"{path}: ConfigMap {g['name']} already exists (use behavior: merge)")
            objs.append({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": g["name"], GEN: g["name"]}, "data": data})
        elif behavior in ("merge", "replace") and existing:
            cm = existing[0]
            cm["data"] = {**cm.get("data", {}), **data} if behavior == "merge" else data
        else:
            raise Failure(f"{path}: configMapGenerator {g['name']}: behavior {behavior} needs an existing generator")
    seen = set()
    for o in objs:
        ident = (o["kind"], o["metadata"].get(GEN, o["metadata"]["name"]))
        if ident in seen:
            raise Failure(f"{path}: {ident[0]}/{ident[1]} defined twice")
        seen.add(ident)
    for entry in k.get("patches", []):
        objs = apply_patch(objs, entry, directory)
    if "namespace" in k:
        for o in objs:
            if o["kind"] not in CLUSTER_SCOPED:
                meta = o["metadata"]
                meta.pop("namespace", None)
                o["metadata"] = {"name": meta.pop("name"), "namespace": k["namespace"], **meta}
    for r in k.get("replicas", []):
        hits = [o for o in objs if o["kind"] in WORKLOADS and o["metadata"]["name"] == r["name"]]
        if not hits:
            raise Failure(f"{path}: replicas: no workload named {r['name']}")
        for o in hits:
            o.setdefault("spec", {})["replicas"] = int(r["count"])
    images = k.get("images", [])
    for im in images:
        unknown = set(im) - {"name", "newName", "newTag", "digest"}
        if unknown:
            raise Failure(f"{path}: images fields {sorted(unknown)} not supported")
    if images:
        set_images(objs, images)
    return objs


def render(directory: Path) -> list[dict]:
    objs = copy.deepcopy(build_level(directory))
    renames = {}
    for o in objs:
        original = o["metadata"].pop(GEN, None)
        if original is not None:
            o["metadata"]["name"] = f"{original}-{config_map_hash(o.get('data', {}))}"
            renames[original] = o["metadata"]["name"]
    rename_config_map_refs([o for o in objs if o["kind"] != "ConfigMap"], renames)

    def order(o):
        kind = o["kind"]
        return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind, o["metadata"]["name"])
    return sorted(objs, key=order)


def ident(o: dict) -> str:
    ns = o["metadata"].get("namespace")
    return f"{o['kind']}/{o['metadata']['name']}" + (f" (namespace {ns})" if ns else "")


# ---------------------------------------------------------------------------------------------
# Kustomize itself, when there is one

def find_kustomize() -> tuple[list[str], str] | None:
    """A Kustomize v5: `kustomize`, or kubectl's built-in one (kubectl >= 1.27 embeds v5)."""
    if exe := shutil.which("kustomize"):
        out = subprocess.run([exe, "version"], capture_output=True, text=True).stdout.strip()
        if re.search(r"v?5\.", out):
            return [exe, "build"], f"kustomize {out}"
    if exe := shutil.which("kubectl"):
        out = subprocess.run([exe, "version", "--client"], capture_output=True, text=True).stdout
        m = re.search(r"Kustomize Version:\s*v?(\d+)\.(\S+)", out)
        client = re.search(r"Client Version:\s*(\S+)", out)
        if m and int(m.group(1)) >= 5:
            return [exe, "kustomize"], f"kubectl {client.group(1) if client else '?'}, kustomize v{m.group(1)}.{m.group(2)}"
    return None


def first_difference(a, b, path="") -> str:
    if type(a) is not type(b):
        return f"{path or '/'}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'kustomize' if k in b else 'ours'}"
            if a[k] != b[k]:
                return first_difference(a[k], b[k], f"{path}/{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items (ours) vs {len(b)} (kustomize)"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}/{i}")
    return f"{path}: {a!r} != {b!r}"


def cross_check(kustomize: list[str], directory: Path, ours: list[dict]) -> list[str]:
    run = subprocess.run(kustomize + [str(directory)], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"kustomize failed: {run.stderr.strip()[-2000:]}"]
    theirs = {ident(o): o for o in yaml.safe_load_all(run.stdout) if o}
    mine = {ident(o): o for o in ours}
    errors = [f"{i}: only in kustomize's output" for i in sorted(set(theirs) - set(mine))]
    errors += [f"{i}: only in ours" for i in sorted(set(mine) - set(theirs))]
    for i in sorted(set(mine) & set(theirs)):
        if mine[i] != theirs[i]:
            errors.append(f"{i}: {first_difference(mine[i], theirs[i])}")
    return errors


# ---------------------------------------------------------------------------------------------
# Schemas

def kubernetes_schema_errors(objs: list[dict], versions: list[str]) -> tuple[list[str], int]:
    import kubernetes_validate.utils as kv
    # Every object would otherwise re-read the multi-megabyte definitions file.
    if not hasattr(kv.schema_contents, "cache_info"):
        kv.schema_contents = functools.lru_cache(maxsize=None)(kv.schema_contents)
    errors, checked = [], 0
    for o in objs:
        if not is_builtin(o):
            continue
        checked += 1
        for version in versions:
            try:
                kv.validate(o, version, strict=True)
            except kv.ValidationError as e:
                where = "/".join(str(p) for p in e.absolute_path) or "/"
                errors.append(f"{ident(o)} (Kubernetes {version}): {where}: {e.message}")
            except kv.SchemaNotFoundError as e:
                errors.append(f"{ident(o)}: {e.message}")
    return errors, checked


STRING = {"type": "string", "minLength": 1}
INT = {"type": "integer", "minimum": 0}
KEDA_OBJECT_META = {"type": "object", "required": ["name"], "properties": {"name": STRING}}
KEDA_SCHEMAS = {
    # The fields of KEDA 2.x's ScaledObject (keda.sh/v1alpha1) that the manifests may use;
    # anything else is an error, like a typo the CRD's structural schema would prune.
    "ScaledObject": {
        "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "ScaledObject"},
            "metadata": KEDA_OBJECT_META,
            "spec": {
                "type": "object", "required": ["scaleTargetRef", "triggers"], "additionalProperties": False,
                "properties": {
                    "scaleTargetRef": {
                        "type": "object", "required": ["name"], "additionalProperties": False,
                        "properties": {"apiVersion": STRING, "kind": STRING, "name": STRING,
                                       "envSourceContainerName": STRING}},
                    "pollingInterval": {"type": "integer", "minimum": 1},
                    "cooldownPeriod": INT, "initialCooldownPeriod": INT, "idleReplicaCount": INT,
                    "minReplicaCount": INT, "maxReplicaCount": {"type": "integer", "minimum": 1},
                    "fallback": {
                        "type": "object", "required": ["failureThreshold", "replicas"], "additionalProperties": False,
                        "properties": {"failureThreshold": {"type": "integer", "minimum": 1}, "replicas": INT,
                                       "behavior": {"enum": ["static", "currentReplicas", "currentReplicasIfHigher",
                                                             "currentReplicasIfLower"]}}},
                    "advanced": {
                        "type": "object", "additionalProperties": False,
                        "properties": {
                            "restoreToOriginalReplicaCount": {"type": "boolean"},
                            "horizontalPodAutoscalerConfig": {
                                "type": "object", "additionalProperties": False,
                                "properties": {"name": STRING, "behavior": {"type": "object"}}}}},
                    "triggers": {
                        "type": "array", "minItems": 1,
                        "items": {
                            "type": "object", "required": ["type", "metadata"], "additionalProperties": False,
                            "properties": {
                                "type": STRING, "name": STRING, "useCachedMetrics": {"type": "boolean"},
                                "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                                "authenticationRef": {
                                    "type": "object", "required": ["name"], "additionalProperties": False,
                                    "properties": {"name": STRING, "kind": {"enum": ["TriggerAuthentication",
                                                                                   "ClusterTriggerAuthentication"]}}},
                            }}}}}}},
    "TriggerAuthentication": {
        "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "TriggerAuthentication"},
            "metadata": KEDA_OBJECT_META,
            "spec": {
                "type": "object", "minProperties": 1, "additionalProperties": False,
                "properties": {
                    "secretTargetRef": {
                        "type": "array", "minItems": 1,
                        "items": {"type": "object", "required": ["parameter", "name", "key"], "additionalProperties": False,
                                  "properties": {"parameter": STRING, "name": STRING, "key": STRING}}},
                    "env": {
                        "type": "array",
                        "items": {"type": "object", "required": ["parameter", "name"], "additionalProperties": False,
                                  "properties": {"parameter": STRING, "name": STRING, "containerName": STRING}}},
                    "configMapTargetRef": {
                        "type": "array",
                        "items": {"type": "object", "required": ["parameter", "name", "key"], "additionalProperties": False,
                                  "properties": {"parameter": STRING, "name": STRING, "key": STRING}}},
                    "podIdentity": {"type": "object"}}}}},
}
# The rabbitmq scaler's metadata (KEDA docs, "RabbitMQ Queue"); host comes from the
# TriggerAuthentication, never inline (it carries the password).
RABBITMQ_METADATA = {"protocol", "mode", "value", "activationValue", "queueName", "vhostName", "hostFromEnv",
                     "useRegex", "excludeUnacknowledged", "pageSize", "operation", "timeout", "unsafeSsl"}


def keda_errors(objs: list[dict], versions: list[str]) -> tuple[list[str], int]:
    errors, checked = [], 0
    for o in objs:
        if group_of(o.get("apiVersion", "")) != "keda.sh":
            if not is_builtin(o):
                errors.append(f"{ident(o)}: no schema for this kind in the checker")
            continue
        checked += 1
        schema = KEDA_SCHEMAS.get(o["kind"])
        if schema is None:
            errors.append(f"{ident(o)}: unexpected KEDA kind")
            continue
        for e in jsonschema.Draft202012Validator(schema).iter_errors(o):
            errors.append(f"{ident(o)}: {'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}")
        # Metadata and the HPA behavior, as Kubernetes itself would check them: wrapped into a
        # ConfigMap and a HorizontalPodAutoscaler.
        wrapped = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": o["metadata"]}]
        hpa = o.get("spec", {}).get("advanced", {}).get("horizontalPodAutoscalerConfig", {})
        if "behavior" in hpa:
            wrapped.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"},
                            "spec": {"maxReplicas": 1, "behavior": hpa["behavior"],
                                     "scaleTargetRef": {"kind": "Deployment", "name": "x"}}})
        wrapped_errors, _ = kubernetes_schema_errors(wrapped, versions)
        errors += [f"{ident(o)}: {e}" for e in wrapped_errors]
        if o["kind"] == "ScaledObject":
            for t in o.get("spec", {}).get("triggers", []):
                if t.get("type") != "rabbitmq":
                    continue
                md = t.get("metadata", {})
                if unknown := set(md) - RABBITMQ_METADATA:
                    errors.append(f"{ident(o)}: rabbitmq trigger: unknown or inline metadata {sorted(unknown)}")
                if md.get("mode") not in ("QueueLength", "MessageRate"):
                    errors.append(f"{ident(o)}: rabbitmq trigger: mode must be QueueLength or MessageRate")
                if md.get("protocol", "auto") not in ("auto", "amqp", "http"):
                    errors.append(f"{ident(o)}: rabbitmq trigger: protocol must be auto, amqp or http")
                try:
                    if float(md.get("value", "")) <= 0:
                        raise ValueError
                except ValueError:
                    errors.append(f"{ident(o)}: rabbitmq trigger: value must be a positive number (a string)")
                if "hostFromEnv" not in md and "authenticationRef" not in t:
                    errors.append(f"{ident(o)}: rabbitmq trigger: no host (authenticationRef or hostFromEnv)")
    return errors, checked


# ---------------------------------------------------------------------------------------------
# Project rules

QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
UNITS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
         "Ti": 2**40}


def quantity(value) -> float:
    m = QUANTITY.match(str(value))
    if not m:
        raise ValueError(f"bad quantity {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def documented_variables(readme: Path) -> set[str]:
    text = readme.read_text()
    section = text[text.find("## Configuration"):]
    section = section[:section.find("\n## ", 5)] if "\n## " in section[5:] else section
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))


def documented_secrets(readme: Path) -> set[tuple[str, str]]:
    """Rows `| `secret` | `key` | ...` of deploy/k8s/README.md's table of Secrets."""
    return set(re.findall(r"^\|\s*`([a-z0-9][a-z0-9.-]*)`\s*\|\s*`([-._A-Za-z0-9]+)`\s*\|", readme.read_text(), re.M))


def secret_refs(objs: list[dict]) -> set[tuple[str, str, bool]]:
    """(secret, key, optional) for every reference to a Secret in the rendered objects."""
    refs = set()
    for o in objs:
        if o["kind"] == "Deployment":
            pod = o["spec"]["template"]["spec"]
            secret_vols = {v["name"]: v["secret"] for v in pod.get("volumes", []) if "secret" in v}
            for c in pod.get("containers", []):
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        refs.add((ref["name"], ref["key"], bool(ref.get("optional"))))
                # Files read from a mounted Secret: env values that point into its mount.
                for m in c.get("volumeMounts", []):
                    vol = secret_vols.get(m["name"])
                    if vol is None:
                        continue
                    for item in vol.get("items", []):
                        refs.add((vol["secretName"], item["key"], bool(vol.get("optional"))))
                    for e in c.get("env", []):
                        for value in str(e.get("value", "")).split(","):
                            if value.startswith(m["mountPath"].rstrip("/") + "/"):
                                refs.add((vol["secretName"], value[len(m["mountPath"].rstrip("/")) + 1:],
                                          bool(vol.get("optional"))))
        elif o["kind"] == "TriggerAuthentication":
            for ref in o["spec"].get("secretTargetRef", []):
                refs.add((ref["name"], ref["key"], False))
        elif o["kind"] == "Ingress":
            for tls in o["spec"].get("tls", []):
                refs.add((tls["secretName"], "tls.crt", False))
                refs.add((tls["secretName"], "tls.key", False))
    return refs


def project_rules(overlay: str, objs: list[dict], base: list[dict], root: Path) -> list[str]:
    errors: list[str] = []
    err = errors.append
    by_kind: dict[str, dict[str, dict]] = {}
    for o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    deployments = by_kind.get("Deployment", {})
    config_maps = by_kind.get("ConfigMap", {})
    variables = documented_variables(root / "README.md")

    # Namespace: one, restricted, holding everything.
    namespaces = by_kind.get("Namespace", {})
    if len(namespaces) != 1:
        err(f"expected exactly one Namespace, found {sorted(namespaces)}")
    for name, ns in namespaces.items():
        if ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") != "restricted":
            err(f"Namespace/{name}: label pod-security.kubernetes.io/enforce: restricted")
        for o in objs:
            if o["kind"] not in CLUSTER_SCOPED and o["metadata"].get("namespace") != name:
                err(f"{ident(o)}: not in namespace {name}")

    if sorted(deployments) != sorted(SERVICES):
        err(f"Deployments must be exactly the 7 services {SERVICES}, found {sorted(deployments)}")
    images = set()
    for name, d in deployments.items():
        where = f"Deployment/{name}"
        spec, pod_meta = d["spec"], d["spec"]["template"]["metadata"]
        pod = spec["template"]["spec"]
        labels = pod_meta.get("labels", {})
        selector = spec["selector"].get("matchLabels", {})
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            err(f"{where}: selector must match the pod template's labels")
        containers = pod.get("containers", [])
        if len(containers) != 1:
            err(f"{where}: one container per pod")
            continue
        c = containers[0]
        images.add(c.get("image"))
        if c.get("args") != [name] or c.get("command"):
            err(f"{where}: the image's entry point with the service as its only argument (args: [{name}])")
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        env = {e["name"]: e for e in c.get("env", [])}
        from_config = {}
        for ef in c.get("envFrom", []):
            ref = ef.get("configMapRef", {}).get("name")
            if ref not in config_maps:
                err(f"{where}: envFrom ConfigMap {ref} is not among the rendered objects")
            else:
                from_config.update(config_maps[ref].get("data", {}))
            if "secretRef" in ef:
                err(f"{where}: name each secret variable with secretKeyRef, not envFrom secretRef")
        for var in env:
            if var not in variables:
                err(f"{where}: {var} is not a setting documented in README.md, Configuration (a typo?)")

        def value(var):
            if var in env:
                return env[var].get("value")
            return from_config.get(var)

        # Ports: admin everywhere, http on the gateway, matching the variables.
        if "admin" not in ports or str(ports["admin"]) != str(value("ADMIN_PORT")):
            err(f"{where}: a container port named admin equal to ADMIN_PORT")
        if name == "gateway" and ("http" not in ports or str(ports["http"]) != str(value("GATEWAY_PORT"))):
            err(f"{where}: a container port named http equal to GATEWAY_PORT")
        # Probes on the admin port.
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
            get = c.get(probe, {}).get("httpGet")
            if not get:
                if probe != "startupProbe":
                    err(f"{where}: {probe} missing (httpGet {path} on the admin port)")
                continue
            if get.get("path") != path or get.get("port") not in ("admin", ports.get("admin")):
                err(f"{where}: {probe} must be httpGet {path} on the admin port")
        # Resources.
        res = c.get("resources", {})
        for r in ("cpu", "memory"):
            req, lim = res.get("requests", {}).get(r), res.get("limits", {}).get(r)
            if req is None or lim is None:
                err(f"{where}: resources.requests.{r} and resources.limits.{r}")
                continue
            try:
                if quantity(req) > quantity(lim):
                    err(f"{where}: {r} request {req} above its limit {lim}")
                if r == "memory" and quantity(lim) < 64 * 2**20:
                    err(f"{where}: memory limit {lim} below 64Mi (the services idle at ~40 MB)")
            except ValueError as e:
                err(f"{where}: {e}")
        # Security.
        psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
        if not (csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
            err(f"{where}: securityContext.runAsNonRoot: true")
        if csc.get("runAsUser", psc.get("runAsUser")) == 0:
            err(f"{where}: runAsUser 0")
        if csc.get("seccompProfile", psc.get("seccompProfile", {})).get("type") != "RuntimeDefault":
            err(f"{where}: seccompProfile RuntimeDefault")
        if csc.get("allowPrivilegeEscalation") is not False:
            err(f"{where}: allowPrivilegeEscalation: false")
        if csc.get("privileged"):
            err(f"{where}: privileged")
        if "ALL" not in csc.get("capabilities", {}).get("drop", []) or csc.get("capabilities", {}).get("add"):
            err(f"{where}: capabilities: drop [ALL], add none")
        if csc.get("readOnlyRootFilesystem") is not True:
            err(f"{where}: readOnlyRootFilesystem: true")
        if pod.get("enableServiceLinks") is not False:
            err(f"{where}: enableServiceLinks: false (a Service named gateway injects GATEWAY_PORT=tcp://...)")
        if pod.get("automountServiceAccountToken") is not False:
            err(f"{where}: automountServiceAccountToken: false (no service calls the Kubernetes API)")
        if any(k in pod for k in ("hostNetwork", "hostPID", "hostIPC")):
            err(f"{where}: host namespaces")
        # Volumes: every mount has a volume, every claim exists, written folders are mounted.
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
        for m in mounts.values():
            if m["name"] not in volumes:
                err(f"{where}: volumeMount {m['name']} has no volume")
        for v in volumes.values():
            if "hostPath" in v:
                err(f"{where}: hostPath volume {v['name']}")
            claim = v.get("persistentVolumeClaim", {}).get("claimName")
            if claim and claim not in by_kind.get("PersistentVolumeClaim", {}):
                err(f"{where}: PersistentVolumeClaim {claim} is not among the rendered objects")
        writable = ["/tmp"] + [value(var) for var, svc in WRITABLE_DIRS.items() if svc == name]
        for var, svc in WRITABLE_DIRS.items():
            if svc == name and not value(var):
                err(f"{where}: {var} must be set (its default is relative to the read-only /app)")
        for path in filter(None, writable):
            m = mounts.get(path)
            if not m or m.get("readOnly") or not any(k in volumes.get(m["name"], {}) for k in
                                                     ("emptyDir", "persistentVolumeClaim", "ephemeral")):
                err(f"{where}: {path} is written: mount a writable emptyDir or claim there")
        # Settings: the connections it needs, secrets only by reference.
        for var, users in NEEDS.items():
            if name in users and var not in env:
                err(f"{where}: {var} missing")
        for var in SECRET_ENV:
            if var in from_config:
                err(f"{where}: {var} comes from a ConfigMap; it must come from a Secret")
            if var in env and not env[var].get("valueFrom", {}).get("secretKeyRef"):
                err(f"{where}: {var} must come from a Secret (secretKeyRef)")
        if name == "auth":
            key_file = value("AUTH_JWT_PRIVATE_KEY_FILE")
            secret_mounts = [m["mountPath"] for m in mounts.values() if "secret" in volumes.get(m["name"], {})]
            if not key_file or not any(key_file.startswith(p.rstrip("/") + "/") for p in secret_mounts):
                err(f"{where}: AUTH_JWT_PRIVATE_KEY_FILE must point into a mounted Secret")
        if name == "analysis-worker" and not value("WORKER_CONCURRENCY"):
            err(f"{where}: WORKER_CONCURRENCY must be set")
        # Shutdown and scraping.
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if grace < 30:
            err(f"{where}: terminationGracePeriodSeconds {grace} < 30 (in-flight work finishes after SIGTERM)")
        if name == "gateway":
            cmd = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
            sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds")
            if sleep is None and len(cmd) == 2 and cmd[0] in ("sleep", "/bin/sleep") and cmd[1].isdigit():
                sleep = int(cmd[1])
            if not sleep:
                err(f"{where}: preStop sleep (the Ingress stops sending before the gateway stops)")
            elif grace < sleep + 30:
                err(f"{where}: terminationGracePeriodSeconds {grace} < preStop {sleep} s + 30 s")
        ann = pod_meta.get("annotations", {})
        if (ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/path") != "/metrics"
                or str(ann.get("prometheus.io/port")) != str(ports.get("admin"))):
            err(f"{where}: prometheus.io/scrape \"true\", port = the admin port, path /metrics")
    if len(images) > 1:
        err(f"the 7 services must run the one image, found {sorted(map(str, images))}")

    # Services and PodDisruptionBudgets select each Deployment's pods.
    for name, d in deployments.items():
        labels = d["spec"]["template"]["metadata"].get("labels", {})
        cports = {p.get("name") for p in d["spec"]["template"]["spec"]["containers"][0].get("ports", [])}
        svc = by_kind.get("Service", {}).get(name)
        if not svc:
            err(f"Service/{name} missing")
        else:
            sel = svc["spec"].get("selector", {})
            if not sel or any(labels.get(k) != v for k, v in sel.items()):
                err(f"Service/{name}: selector does not select the Deployment's pods")
            for p in svc["spec"].get("ports", []):
                if p.get("targetPort") not in cports:
                    err(f"Service/{name}: targetPort {p.get('targetPort')} is not a named container port")
        pdb = by_kind.get("PodDisruptionBudget", {}).get(name)
        if not pdb:
            err(f"PodDisruptionBudget/{name} missing")
        else:
            sel = pdb["spec"].get("selector", {}).get("matchLabels", {})
            if not sel or any(labels.get(k) != v for k, v in sel.items()):
                err(f"PodDisruptionBudget/{name}: selector does not select the Deployment's pods")
            if "maxUnavailable" not in pdb["spec"] and pdb["spec"].get("minAvailable", 0) >= d["spec"].get("replicas", 1):
                err(f"PodDisruptionBudget/{name}: would block every eviction")

    # The Ingress: the gateway's http port, the API and the WebSocket path.
    ingresses = by_kind.get("Ingress", {})
    if len(ingresses) != 1:
        err(f"expected one Ingress, found {sorted(ingresses)}")
    for name, ing in ingresses.items():
        paths = {}
        for rule in ing["spec"].get("rules", []):
            for p in rule.get("http", {}).get("paths", []):
                paths[p["path"]] = p
                backend = p["backend"].get("service", {})
                if backend.get("name") != "gateway" or backend.get("port", {}).get("name") != "http":
                    err(f"Ingress/{name}: {p['path']} must go to Service gateway, port http")
        for path in ("/api/v1/ws", "/api"):
            if path not in paths:
                err(f"Ingress/{name}: no path {path}")
        body = ing["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/proxy-body-size")
        if body is not None:
            m = re.fullmatch(r"(\d+)([kmg]?)", str(body).lower())
            if not m:
                err(f"Ingress/{name}: proxy-body-size {body!r} unreadable")
            elif int(m.group(1)) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[m.group(2)] < 10 * 2**20:
                err(f"Ingress/{name}: proxy-body-size {body} below the 10 MiB document uploads")

    # Autoscalers.
    hpas = by_kind.get("HorizontalPodAutoscaler", {})
    scaled = by_kind.get("ScaledObject", {})
    for name, h in hpas.items():
        target = h["spec"]["scaleTargetRef"]["name"]
        d = deployments.get(target)
        if not d:
            err(f"HorizontalPodAutoscaler/{name}: targets a missing Deployment {target}")
            continue
        if target == "analysis-worker":
            err(f"HorizontalPodAutoscaler/{name}: analysis-worker is scaled by KEDA (ScaledObject) alone")
        if not any(m.get("resource", {}).get("name") == "cpu" for m in h["spec"].get("metrics", [])):
            err(f"HorizontalPodAutoscaler/{name}: a CPU metric")
        lo, hi = h["spec"].get("minReplicas", 1), h["spec"]["maxReplicas"]
        if not lo <= d["spec"].get("replicas", 1) <= hi:
            err(f"HorizontalPodAutoscaler/{name}: Deployment replicas {d['spec'].get('replicas')} outside [{lo}, {hi}]")
    for name, so in scaled.items():
        spec = so["spec"]
        target = spec["scaleTargetRef"]["name"]
        if target != "analysis-worker" or spec["scaleTargetRef"].get("kind", "Deployment") != "Deployment":
            err(f"ScaledObject/{name}: must scale Deployment analysis-worker")
        lo, hi = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
        if lo < 1 or lo > hi:
            err(f"ScaledObject/{name}: minReplicaCount {lo} must be 1..maxReplicaCount {hi}")
        d = deployments.get(target)
        if d and not lo <= d["spec"].get("replicas", 1) <= hi:
            err(f"ScaledObject/{name}: Deployment replicas {d['spec'].get('replicas')} outside [{lo}, {hi}]")
        if "fallback" in spec and not lo <= spec["fallback"]["replicas"] <= hi:
            err(f"ScaledObject/{name}: fallback replicas outside [{lo}, {hi}]")
        rabbit = [t for t in spec["triggers"] if t["type"] == "rabbitmq"]
        if not rabbit or any(t["metadata"].get("queueName") != WORK_QUEUE for t in rabbit):
            err(f"ScaledObject/{name}: a rabbitmq trigger on the queue {WORK_QUEUE}")
        for t in rabbit:
            auth = t.get("authenticationRef", {}).get("name")
            ta = by_kind.get("TriggerAuthentication", {}).get(auth)
            if not ta:
                err(f"ScaledObject/{name}: TriggerAuthentication {auth} missing")
            elif not any(r["parameter"] == "host" for r in ta["spec"].get("secretTargetRef", [])):
                err(f"TriggerAuthentication/{auth}: the host (AMQP URL) from a Secret (secretTargetRef)")
    if scaled and "analysis-worker" in hpas:
        err("analysis-worker has both an HPA and a ScaledObject")

    # Secrets: references only, each documented in deploy/k8s/README.md.
    documented = documented_secrets(root / "deploy/k8s/README.md")
    refs = secret_refs(objs)
    for secret, key, _ in sorted(refs):
        if (secret, key) not in documented:
            err(f"Secret {secret}, key {key}: referenced but not in deploy/k8s/README.md's table of Secrets")
    rendered_secrets = by_kind.get("Secret", {})
    for name, s in rendered_secrets.items():
        marker = s["metadata"].get("annotations", {}).get("lending-platform.dev/placeholder", "")
        if overlay != "dev":
            err(f"Secret/{name}: no Secret values in the {overlay} overlay; the operator creates them")
        elif "LOCAL-DEV" not in marker:
            err(f"Secret/{name}: a placeholder must carry the annotation lending-platform.dev/placeholder: LOCAL-DEV ...")
    for secret, key, optional in sorted(refs):
        s = rendered_secrets.get(secret)
        if s is not None and not optional and key not in {**s.get("data", {}), **s.get("stringData", {})}:
            err(f"Secret/{secret}: lacks the key {key} that a manifest needs")
    for o in objs:
        if o["kind"] == "Secret":
            continue
        text = json.dumps(o)
        if USERINFO_PASSWORD.search(text) or "PRIVATE KEY-----" in text:
            err(f"{ident(o)}: holds a credential (a URL with a password or a private key)")
    for name, cm in config_maps.items():
        for key in cm.get("data", {}):
            if key not in variables:
                err(f"ConfigMap/{name}: {key} is not a setting documented in README.md, Configuration (a typo?)")
            if key in SECRET_ENV or re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY$", key):
                err(f"ConfigMap/{name}: {key} is a secret; reference it from a Secret")

    # Per overlay.
    replicas = {n: d["spec"].get("replicas", 1) for n, d in deployments.items()}
    if overlay == "dev":
        if any(r != 1 for r in replicas.values()):
            err(f"dev: one replica of each service, found {replicas}")
    if overlay == "prod":
        if not hpas.get("gateway"):
            err("prod: the gateway needs its HorizontalPodAutoscaler")
        if not scaled:
            err("prod: analysis-worker needs its KEDA ScaledObject")
        for image in images:
            _, tag, digest = parse_image(str(image))
            if not digest and (not tag or tag == "latest"):
                err(f"prod: image {image} must be pinned (a release tag or a digest, not latest)")
        for n, r in replicas.items():
            if r < 2:
                err(f"prod: Deployment/{n} needs at least 2 replicas, has {r}")
        base_deps = {o["metadata"]["name"]: o for o in base if o["kind"] == "Deployment"}
        for n, d in deployments.items():
            if n not in base_deps:
                continue
            mine = d["spec"]["template"]["spec"]["containers"][0].get("resources", {}).get("limits", {})
            theirs = base_deps[n]["spec"]["template"]["spec"]["containers"][0].get("resources", {}).get("limits", {})
            try:
                if quantity(mine.get("memory", 0)) < quantity(theirs.get("memory", 0)):
                    err(f"prod: Deployment/{n} memory limit below the base's")
            except ValueError:
                pass
    return errors


# ---------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--versions", default="1.31,1.37", help="Kubernetes versions to validate against")
    ap.add_argument("--print", dest="print_overlay", metavar="OVERLAY", help="print the rendered overlay and exit")
    args = ap.parse_args()
    root = args.root.resolve()
    k8s = root / "deploy/k8s"
    versions = [v.strip() for v in args.versions.split(",") if v.strip()]

    if args.print_overlay:
        yaml.safe_dump_all(render(k8s / "overlays" / args.print_overlay), sys.stdout, sort_keys=False)
        return 0

    status = 0

    def report(name: str, errors: list[str], detail: str = "") -> None:
        nonlocal status
        if errors:
            status = 1
            print(f"k8s: {name}: FAILED", file=sys.stderr)
            for e in errors[:40]:
                print(f"  {e}", file=sys.stderr)
            if len(errors) > 40:
                print(f"  ... and {len(errors) - 40} more", file=sys.stderr)
        else:
            print(f"k8s: {name}: ok" + (f" ({detail})" if detail else ""))

    try:
        base = render(k8s / "base")
    except (Failure, OSError, yaml.YAMLError) as e:
        report("render base", [str(e)])
        return 1
    kustomize = find_kustomize()
    for overlay in OVERLAYS:
        where = f"overlays/{overlay}"
        try:
            objs = render(k8s / "overlays" / overlay)
        except (Failure, OSError, yaml.YAMLError, KeyError, TypeError) as e:
            report(f"render {where}", [f"{type(e).__name__}: {e}"])
            continue
        report(f"render {where}", [], f"{len(objs)} objects")
        if kustomize:
            report(f"kustomize build {where} equals the render", cross_check(kustomize[0], k8s / "overlays" / overlay, objs),
                   kustomize[1])
        else:
            print(f"k8s: kustomize build {where}: skipped (no Kustomize v5: neither `kustomize` nor a kubectl >= 1.27)")
        errors, n = kubernetes_schema_errors(objs, versions)
        report(f"Kubernetes {', '.join(versions)} schemas (strict) {where}", errors, f"{n} objects")
        errors, n = keda_errors(objs, versions)
        report(f"KEDA schema subset {where}", errors, f"{n} objects")
        try:
            errors = project_rules(overlay, objs, base, root)
        except (KeyError, TypeError, AttributeError, IndexError) as e:
            errors = [f"a manifest lacks a required field: {type(e).__name__}: {e}"]
        report(f"project rules {where}", errors)
    return status


if __name__ == "__main__":
    sys.exit(main())
