#!/usr/bin/env node
// Validates every object in the Kubernetes YAML files given (`kubectl kustomize` output),
// with no cluster:
//  1. against the Kubernetes OpenAPI schemas (types, required fields, enums, formats), by
//     kubernetes-models' generated validators;
//  2. for unknown fields (a misspelt `livenesProbe` would pass 1), by walking each object
//     along @kubernetes/client-node's model of the same kind;
//  3. against wsfleet's own deployment rules: non-root, no privilege escalation, read-only
//     root, resource requests and limits, probes.
// Prints one line per problem ("file: Kind/name: path: message") and exits 1 if any.
"use strict";
const fs = require("fs");
const yaml = require("js-yaml");
const client = require("@kubernetes/client-node");

const problems = [];

function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = `kubernetes-models/${group || version}${group ? "/" + version : ""}/${kind}`;
  try {
    return require(path)[kind];
  } catch (error) {
    return null;
  }
}

// Unknown fields: `type` is a client-node type name ("V1PodSpec", "Array<V1Container>", ...).
function checkFields(value, type, path, report) {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => checkFields(item, array[1], `${path}[${i}]`, report));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") for (const key of Object.keys(value)) checkFields(value[key], map[1], `${path}.${key}`, report);
    return;
  }
  const model = client[type];
  if (!model || typeof model.getAttributeTypeMap !== "function" || typeof value !== "object") return;
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const key of Object.keys(value)) {
    if (!attributes.has(key)) {
      report(`${path}.${key}: unknown field (not in ${type})`);
    } else {
      checkFields(value[key], attributes.get(key), `${path}.${key}`, report);
    }
  }
}

function podSpecOf(object) {
  if (object.kind === "Pod") return object.spec;
  return object.spec && object.spec.template && object.spec.template.spec;
}

// wsfleet's rules for its own workloads.
function checkPolicy(object, report) {
  const pod = podSpecOf(object);
  if (!pod) return;
  const podSecurity = pod.securityContext || {};
  if (podSecurity.runAsNonRoot !== true) report("spec.template.spec.securityContext.runAsNonRoot: must be true");
  for (const container of pod.containers || []) {
    const at = `containers[${container.name}]`;
    const security = container.securityContext || {};
    if (security.allowPrivilegeEscalation !== false) report(`${at}.securityContext.allowPrivilegeEscalation: must be false`);
    if (security.privileged === true) report(`${at}.securityContext.privileged: must not be set`);
    if (security.readOnlyRootFilesystem !== true) report(`${at}.securityContext.readOnlyRootFilesystem: must be true`);
    const drop = (security.capabilities && security.capabilities.drop) || [];
    if (!drop.includes("ALL")) report(`${at}.securityContext.capabilities.drop: must include ALL`);
    const resources = container.resources || {};
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (!resources[kind] || resources[kind][resource] === undefined) report(`${at}.resources.${kind}.${resource}: missing`);
      }
    }
    if (!container.livenessProbe) report(`${at}.livenessProbe: missing`);
  }
}

let objects = 0;
for (const file of process.argv.slice(2)) {
  let documents;
  try {
    documents = yaml.loadAll(fs.readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`${file}: not YAML: ${error.message}`);
    continue;
  }
  for (const object of documents) {
    if (!object) continue;
    objects += 1;
    const name = `${object.kind}/${object.metadata && object.metadata.name}`;
    const report = (message) => problems.push(`${file}: ${name}: ${message}`);
    if (!object.apiVersion || !object.kind) {
      report("no apiVersion or kind");
      continue;
    }
    const Model = modelFor(object.apiVersion, object.kind);
    if (!Model) {
      report(`unknown kind ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      report(`schema: ${error.message}`);
    }
    const version = object.apiVersion.split("/").pop();
    checkFields(object, version.charAt(0).toUpperCase() + version.slice(1) + object.kind, "", report);
    checkPolicy(object, report);
  }
}
for (const problem of problems) console.log(problem);
console.log(`${objects} objects checked, ${problems.length} problems`);
process.exit(problems.length === 0 && objects > 0 ? 0 : 1);
