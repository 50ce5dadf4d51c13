/**
 * The Kubernetes targets' leaf shapes (sealos, homelab): pod templates of the workload kinds, and
 * the Secrets, ExternalSecrets, ConfigMaps, PersistentVolumeClaims and Services they refer to.
 * Objects without `metadata.name` are auto-named by Pulumi (`<resource name>-<8 characters>`), so a
 * reference is matched by the declared name, or by that auto-name shape.
 */
import { arr, at, bool, isUnknown, num, obj, str, strOrUnknown, UNKNOWN, type Plain, type StackResource, type Unknown } from "./plain";
import { provenanceOf } from "./quadlet";
import type { EnvVar, KubernetesDetails, Mount, Probe, PublishedPort, SecretRef, StackModel, Workload } from "./workloads";

const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  "apps/v1:Deployment": ["spec", "template", "spec"],
  "apps/v1:StatefulSet": ["spec", "template", "spec"],
  "apps/v1:DaemonSet": ["spec", "template", "spec"],
  "apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "batch/v1:Job": ["spec", "template", "spec"],
  "batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "core/v1:Pod": ["spec"],
};
const POD_LABEL_PATHS: Record<string, string[]> = {
  "apps/v1:Deployment": ["spec", "template", "metadata", "labels"],
  "apps/v1:StatefulSet": ["spec", "template", "metadata", "labels"],
  "apps/v1:DaemonSet": ["spec", "template", "metadata", "labels"],
  "apps/v1:ReplicaSet": ["spec", "template", "metadata", "labels"],
  "core/v1:Pod": ["metadata", "labels"],
};

/** The name of a Secret referenced by an output not known yet (an auto-named Secret during a first preview). */
const PENDING_NAME = "(a Secret named when it is created)";

/** `kubernetes:apps/v1:Deployment` → `apps/v1:Deployment`. */
function kindKey(type: string): string | undefined {
  return type.startsWith("kubernetes:") ? type.slice("kubernetes:".length) : undefined;
}

function kindOf(type: string): string {
  return type.split(":").at(-1)!;
}

/** The object's name: declared, or the auto-name pattern Pulumi would give it. */
function nameMatches(resource: StackResource, name: string | Unknown | undefined): boolean {
  if (typeof name !== "string") return false;
  const declared = str(at(resource.props, "metadata", "name"));
  if (declared !== undefined) return declared === name;
  return new RegExp(`^${resource.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{8}$`).test(name);
}

function declaredName(resource: StackResource): string {
  return str(at(resource.props, "metadata", "name")) ?? resource.name;
}

function namespaceOf(resource: StackResource): string | undefined {
  return str(at(resource.props, "metadata", "namespace"));
}

function decodeBase64(value: Plain | undefined): string | Unknown | undefined {
  if (isUnknown(value)) return UNKNOWN;
  if (typeof value !== "string") return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}

/** `512Mi`, `1Gi`, `1G`, `1e9`, `1073741824` → bytes. */
export function parseQuantity(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const factors: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    m: 1e-3,
  };
  return Number(match[1]) * (match[2] ? factors[match[2]]! : 1);
}

export function readKubernetes(model: StackModel): void {
  const k8s = model.resources.filter((r) => r.type.startsWith("kubernetes:"));
  const secrets = k8s.filter((r) => r.type === "kubernetes:core/v1:Secret");
  const externalSecrets = k8s.filter((r) => /^kubernetes:external-secrets\.io\/[^:]+:ExternalSecret$/.test(r.type));
  const configMaps = k8s.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
  const claims = k8s.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim");

  for (const secret of secrets) {
    const name = declaredName(secret);
    const namespace = namespaceOf(secret);
    const entries: [string, string | Unknown | undefined, string][] = [
      ...Object.entries(obj(secret.props.stringData) ?? {}).map(([k, v]): [string, string | Unknown | undefined, string] => [
        k,
        strOrUnknown(v),
        "stringData",
      ]),
      ...Object.entries(obj(secret.props.data) ?? {}).map(([k, v]): [string, string | Unknown | undefined, string] => [
        k,
        decodeBase64(v),
        "data",
      ]),
    ];
    for (const [key, value, property] of entries) {
      model.secrets.push({
        mechanism: "kubernetes",
        name,
        key,
        ...(namespace ? { namespace } : {}),
        value,
        urn: secret.urn,
        provenance: provenanceOf(secret, property, model),
        label: `Secret ${name} key ${key}`,
      });
    }
  }
  for (const external of externalSecrets) {
    const name = str(at(external.props, "spec", "target", "name")) ?? declaredName(external);
    const namespace = namespaceOf(external);
    for (const item of arr(at(external.props, "spec", "data"))) {
      const key = str(at(item, "secretKey"));
      if (!key) continue;
      const remote = str(at(item, "remoteRef", "key"));
      const property = str(at(item, "remoteRef", "property"));
      model.secrets.push({
        mechanism: "kubernetes",
        name,
        key,
        ...(namespace ? { namespace } : {}),
        value: undefined,
        urn: external.urn,
        provenance: [],
        ...(remote ? { remoteKey: property ? `${remote}#${property}` : remote } : {}),
        label: `ExternalSecret ${declaredName(external)} key ${key}${remote ? ` (from ${remote}${property ? `#${property}` : ""})` : ""}`,
      });
    }
    if (arr(at(external.props, "spec", "dataFrom")).length > 0) {
      // Every key of a remote object: the keys are not visible, but the Secret exists.
      model.secrets.push({
        mechanism: "kubernetes",
        name,
        ...(namespace ? { namespace } : {}),
        value: undefined,
        urn: external.urn,
        provenance: [],
        label: `ExternalSecret ${declaredName(external)} (dataFrom)`,
      });
    }
  }
  for (const configMap of configMaps) {
    for (const [key, value] of Object.entries(obj(configMap.props.data) ?? {})) {
      if (typeof value === "string")
        model.plainTexts.push({ urn: configMap.urn, label: `ConfigMap ${declaredName(configMap)} key ${key}`, text: value });
    }
  }

  const configMapValue = (name: string | Unknown | undefined, key: string): string | Unknown | undefined => {
    const configMap = configMaps.find((c) => nameMatches(c, name));
    return configMap ? strOrUnknown(at(configMap.props, "data", key)) : undefined;
  };
  /** The text a one-file mount of a ConfigMap volume shows (`subPath` = an item's path), when the stack declares it. */
  const configMapFileText = (volumes: Plain[], volumeName: string, subPath: string | undefined): string | Unknown | undefined => {
    if (subPath === undefined) return undefined;
    const volume = volumes.find((v) => str(at(v, "name")) === volumeName);
    const configMap = obj(at(volume, "configMap"));
    if (!configMap) return undefined;
    const normal = (path: string) => path.replace(/^(\.\/)+/, "");
    const item = arr(configMap.items).find((i) => normal(str(at(i, "path")) ?? "") === normal(subPath));
    const key = item ? str(at(item, "key")) : subPath;
    return key === undefined ? undefined : configMapValue(strOrUnknown(configMap.name), key);
  };
  const secretName = (name: string | Unknown | undefined): string | undefined => {
    if (typeof name !== "string") return undefined;
    const declared = [...secrets, ...externalSecrets].find((r) => nameMatches(r, name));
    if (!declared) return name;
    return declared.type === "kubernetes:core/v1:Secret"
      ? declaredName(declared)
      : (str(at(declared.props, "spec", "target", "name")) ?? declaredName(declared));
  };

  for (const resource of k8s) {
    const key = kindKey(resource.type);
    const podPath = key ? POD_TEMPLATE_PATHS[key] : undefined;
    if (!podPath) continue;
    const podSpec = obj(at(resource.props, ...podPath));
    if (!podSpec) continue;
    const objectName = declaredName(resource);
    const namespace = namespaceOf(resource);
    const kind = kindOf(resource.type);
    const volumes = arr(podSpec.volumes);
    const details: Omit<KubernetesDetails, "initContainer"> = {
      kind,
      objectName,
      ...(namespace ? { namespace } : {}),
      ...(kind === "Deployment" || kind === "StatefulSet" || kind === "ReplicaSet"
        ? { replicas: isUnknown(at(resource.props, "spec", "replicas")) ? UNKNOWN : (num(at(resource.props, "spec", "replicas")) ?? 1) }
        : {}),
      ...(kind === "Deployment"
        ? {
            strategy: isUnknown(at(resource.props, "spec", "strategy", "type"))
              ? UNKNOWN
              : (str(at(resource.props, "spec", "strategy", "type")) ?? "RollingUpdate"),
          }
        : {}),
      claims: volumes.flatMap((volume) => {
        const claimName = str(at(volume, "persistentVolumeClaim", "claimName"));
        if (!claimName) return [];
        const claim = claims.find((c) => nameMatches(c, claimName));
        const modes = claim ? arr(at(claim.props, "spec", "accessModes")).flatMap((m) => (typeof m === "string" ? [m] : [])) : undefined;
        return [{ claimName, ...(modes ? { accessModes: modes } : {}) }];
      }),
      hostNetwork: bool(podSpec.hostNetwork) === true,
    };
    const secretVolumes = new Map<string, SecretRef>();
    for (const volume of volumes) {
      const volumeName = str(at(volume, "name"));
      const secret = secretName(strOrUnknown(at(volume, "secret", "secretName")));
      if (volumeName && secret) {
        secretVolumes.set(volumeName, {
          mechanism: "kubernetes",
          name: secret,
          optional: bool(at(volume, "secret", "optional")) === true,
          ...(namespace ? { namespace } : {}),
        });
      }
      for (const source of arr(at(volume, "projected", "sources"))) {
        const projected = secretName(strOrUnknown(at(source, "secret", "name")));
        if (volumeName && projected) {
          secretVolumes.set(volumeName, {
            mechanism: "kubernetes",
            name: projected,
            optional: bool(at(source, "secret", "optional")) === true,
            ...(namespace ? { namespace } : {}),
          });
        }
      }
    }

    const containers = [
      ...arr(podSpec.initContainers).map((c): { c: Plain; init: boolean } => ({ c, init: true })),
      ...arr(podSpec.containers).map((c): { c: Plain; init: boolean } => ({ c, init: false })),
    ];
    for (const { c, init } of containers) {
      const container = obj(c);
      if (!container) continue;
      const name = str(container.name) ?? objectName;
      const label = `${kind} ${objectName} (${init ? "init " : ""}container ${name})`;
      const env: EnvVar[] = [];
      const opaque: Workload["opaqueEnvSources"] = [];
      for (const item of arr(container.env)) {
        const variable = str(at(item, "name"));
        if (!variable) continue;
        const where = `env of ${label}`;
        const secretRef = obj(at(item, "valueFrom", "secretKeyRef"));
        const configMapRef = obj(at(item, "valueFrom", "configMapKeyRef"));
        if (secretRef) {
          const refName = secretName(strOrUnknown(secretRef.name));
          env.push({
            name: variable,
            source: {
              kind: "secret",
              secret: {
                mechanism: "kubernetes",
                name: refName ?? PENDING_NAME,
                ...(str(secretRef.key) ? { key: str(secretRef.key)! } : {}),
                optional: bool(secretRef.optional) === true,
                ...(namespace ? { namespace } : {}),
                ...(refName === undefined ? { pending: true } : {}),
              },
            },
            where,
          });
        } else if (configMapRef) {
          const cmKey = str(configMapRef.key) ?? "";
          const value = configMapValue(strOrUnknown(configMapRef.name), cmKey);
          env.push({
            name: variable,
            source:
              value === undefined
                ? {
                    kind: "config-map",
                    configMap: str(configMapRef.name) ?? "?",
                    key: cmKey,
                    optional: bool(configMapRef.optional) === true,
                  }
                : { kind: "plain", value },
            where,
          });
        } else if (at(item, "valueFrom") !== undefined) {
          env.push({ name: variable, source: { kind: "runtime" }, where });
        } else {
          env.push({ name: variable, source: { kind: "plain", value: strOrUnknown(at(item, "value")) ?? "" }, where });
        }
      }
      for (const item of arr(container.envFrom)) {
        const prefix = str(at(item, "prefix")) ?? "";
        const secretRef = obj(at(item, "secretRef"));
        const configMapRef = obj(at(item, "configMapRef"));
        if (secretRef) {
          const refName = secretName(strOrUnknown(secretRef.name)) ?? PENDING_NAME;
          const ref: SecretRef = {
            mechanism: "kubernetes",
            name: refName,
            optional: bool(secretRef.optional) === true,
            ...(namespace ? { namespace } : {}),
            ...(refName === PENDING_NAME ? { pending: true } : {}),
          };
          const keys = model.secrets.filter(
            (s) =>
              s.mechanism === "kubernetes" &&
              s.name === refName &&
              s.key !== undefined &&
              (namespace === undefined || s.namespace === undefined || s.namespace === namespace),
          );
          for (const payload of keys)
            env.push({
              name: `${prefix}${payload.key}`,
              source: { kind: "secret", secret: { ...ref, key: payload.key! } },
              where: `envFrom Secret ${refName} of ${label}`,
            });
          const wholeRemote = model.secrets.some((s) => s.mechanism === "kubernetes" && s.name === refName && s.key === undefined);
          if (keys.length === 0 || wholeRemote) opaque.push({ description: `envFrom Secret ${refName}`, ref });
        } else if (configMapRef) {
          const configMap = configMaps.find((cm) => nameMatches(cm, strOrUnknown(configMapRef.name)));
          if (configMap) {
            for (const [k, v] of Object.entries(obj(configMap.props.data) ?? {})) {
              env.push({
                name: `${prefix}${k}`,
                source: { kind: "plain", value: strOrUnknown(v) ?? "" },
                where: `envFrom ConfigMap ${declaredName(configMap)} of ${label}`,
              });
            }
          } else {
            opaque.push({ description: `envFrom ConfigMap ${str(configMapRef.name) ?? "?"}` });
          }
        }
      }

      const ports: PublishedPort[] = arr(container.ports).flatMap((p) => {
        const hostPort = num(at(p, "hostPort"));
        if (hostPort === undefined) return [];
        const hostIp = str(at(p, "hostIP"));
        return [
          {
            ...(hostIp ? { hostIp } : {}),
            hostPort,
            containerPort: num(at(p, "containerPort")) ?? hostPort,
            protocol: (str(at(p, "protocol")) ?? "TCP").toLowerCase(),
            where: `ports of ${label}`,
          },
        ];
      });
      const mounts: Mount[] = [];
      const secretMounts: Workload["secretMounts"] = [];
      for (const mount of arr(container.volumeMounts)) {
        const volumeName = str(at(mount, "name")) ?? "";
        const destination = str(at(mount, "mountPath")) ?? "";
        const secret = secretVolumes.get(volumeName);
        if (secret) secretMounts.push({ ref: secret, destination });
        else {
          const text = configMapFileText(volumes, volumeName, str(at(mount, "subPath")));
          mounts.push({ source: volumeName, destination, ...(typeof text === "string" ? { text } : {}) });
        }
      }
      const probes: Probe[] = ["livenessProbe", "readinessProbe", "startupProbe"].flatMap((probeKey): Probe[] => {
        const probe = obj(container[probeKey]);
        if (!probe) return [];
        const where = `${probeKey} of ${label}`;
        const http = obj(probe.httpGet);
        if (http) {
          const headers: Record<string, string> = {};
          for (const header of arr(http.httpHeaders)) {
            const headerName = str(at(header, "name"));
            const headerValue = str(at(header, "value"));
            if (headerName && headerValue !== undefined) headers[headerName.toLowerCase()] = headerValue;
          }
          const port = num(http.port) ?? str(http.port);
          const path = str(http.path);
          const host = str(http.host);
          return [
            { kind: "http", ...(port === undefined ? {} : { port }), ...(path ? { path } : {}), ...(host ? { host } : {}), headers, where },
          ];
        }
        if (obj(probe.exec))
          return [{ kind: "command", argv: arr(at(probe, "exec", "command")).flatMap((a) => (typeof a === "string" ? [a] : [])), where }];
        if (obj(probe.tcpSocket)) return [{ kind: "tcp", where }];
        if (obj(probe.grpc)) return [{ kind: "grpc", where }];
        return [{ kind: "other", where }];
      });
      const memoryText = at(container, "resources", "limits", "memory");
      const memoryLimit = isUnknown(memoryText)
        ? UNKNOWN
        : typeof memoryText === "string"
          ? (parseQuantity(memoryText) ?? UNKNOWN)
          : typeof memoryText === "number"
            ? memoryText
            : undefined;
      const image = strOrUnknown(container.image);
      const words = [...arr(container.command), ...arr(container.args)].flatMap((w) => (typeof w === "string" ? [w] : []));
      for (const word of words) model.plainTexts.push({ urn: resource.urn, label: `command of ${label}`, text: word });
      for (const variable of env) {
        if (variable.source.kind === "plain" && typeof variable.source.value === "string") {
          model.plainTexts.push({ urn: resource.urn, label: `${variable.name} in ${variable.where}`, text: variable.source.value });
        }
      }
      model.workloads.push({
        target: "kubernetes",
        name,
        owner: objectName,
        urn: resource.urn,
        label,
        ...(image === undefined ? {} : { image }),
        env,
        opaqueEnvSources: opaque,
        networks: [],
        hostNetwork: details.hostNetwork,
        ports,
        mounts,
        secretMounts,
        commandLine: words,
        probes,
        ...(memoryLimit === undefined ? {} : { memoryLimit }),
        memoryLimitRequired: true,
        kubernetes: { ...details, initContainer: init },
      });
    }
  }

  for (const service of k8s.filter((r) => r.type === "kubernetes:core/v1:Service")) {
    const selector = obj(at(service.props, "spec", "selector"));
    const namespace = namespaceOf(service);
    const selects = selector
      ? model.workloads.filter((w) => {
          if (w.target !== "kubernetes") return false;
          const owner = k8s.find((r) => r.urn === w.urn);
          const labelPath = owner ? POD_LABEL_PATHS[kindKey(owner.type) ?? ""] : undefined;
          const labels = owner && labelPath ? obj(at(owner.props, ...labelPath)) : undefined;
          return labels !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
        })
      : [];
    model.services.push({ name: declaredName(service), ...(namespace ? { namespace } : {}), selects });
  }

  for (const release of k8s.filter((r) => /^kubernetes:helm\.sh\/v\d+:(Release|Chart)$/.test(r.type))) {
    for (const { image, path } of helmImages(release.props.values)) {
      model.otherImages.push({ image, urn: release.urn, where: `Helm values ${path} of ${release.name}` });
    }
  }
}

/** Images in Helm values: every `{registry?, repository, tag | digest}` object (the common chart convention). */
export function helmImages(values: Plain | undefined, path = "values"): { image: string; path: string }[] {
  const o = obj(values);
  if (Array.isArray(values)) return values.flatMap((v, i) => helmImages(v, `${path}[${i}]`));
  if (!o) return [];
  const repository = str(o.repository);
  if (repository !== undefined && (o.tag !== undefined || o.digest !== undefined || o.registry !== undefined)) {
    const registry = str(o.registry);
    const tag = typeof o.tag === "number" ? String(o.tag) : str(o.tag);
    const digest = str(o.digest);
    const image = `${registry ? `${registry}/` : ""}${repository}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
    return [{ image, path }];
  }
  return Object.entries(o).flatMap(([k, v]) => helmImages(v, `${path}.${k}`));
}
