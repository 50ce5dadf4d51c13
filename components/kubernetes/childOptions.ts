import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a component's child: parented to the component, and depending on whatever the
 * component was told to depend on (the engine does not pass a component's dependsOn to its children,
 * and a dependency only the parent records is invisible in the plan), plus the child's own.
 */
export function childOptions(
  parent: pulumi.ComponentResource,
  componentOptions: pulumi.ComponentResourceOptions | undefined,
  own: readonly pulumi.Resource[] = [],
  extra: Omit<pulumi.CustomResourceOptions, "parent" | "dependsOn"> = {},
): pulumi.CustomResourceOptions {
  const inherited = componentOptions?.dependsOn;
  let list: pulumi.Input<pulumi.Resource>[];
  if (inherited === undefined) list = [];
  else if (Array.isArray(inherited)) list = inherited;
  else if (pulumi.Resource.isInstance(inherited)) list = [inherited];
  else throw new Error("a Kubernetes component's dependsOn must be a resource or a list of resources");
  const dependsOn = [...list, ...own];
  return { ...extra, parent, ...(dependsOn.length > 0 ? { dependsOn } : {}) };
}
