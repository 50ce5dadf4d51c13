/**
 * The one call of Fly's Machines API `verify` makes, and the shape of its answer as a JSON Schema of
 * the fields verify relies on. Written from the Machines API's Swagger 2.0 spec (host
 * api.machines.dev, basePath /v1; Fly publishes it at docs.machines.dev), read in a copy the index
 * holds: jlengrand/jetbrains-client-api-repository apis/flyio/doc.json at 3cdf8826eb67. There,
 * `GET /apps/{app_name}/machines` answers an array of `Machine` (`id`, `name`, `state`, `region`,
 * `checks`: an array of `CheckStatus` with `name`, `status`, `output`, `updated_at`, all strings);
 * errors are an `ErrorResponse` (`error`). The spec leaves `state` and a check's `status` untyped
 * strings: Fly's documentation names the states (started, stopped, …) and check statuses (passing,
 * warning, critical).
 */
export const FLY_MACHINES_API = "https://api.machines.dev/v1";

export const MACHINES_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    required: ["id", "state"],
    properties: {
      id: { type: "string" },
      name: { type: "string" },
      state: { type: "string" },
      region: { type: "string" },
      checks: {
        type: "array",
        items: {
          type: "object",
          properties: { name: { type: "string" }, status: { type: "string" }, output: { type: "string" }, updated_at: { type: "string" } },
        },
      },
    },
  },
};

export const FLY_ERROR_SCHEMA = { type: "object", required: ["error"], properties: { error: { type: "string" } } };

export interface Machine {
  id: string;
  name?: string;
  state: string;
  region?: string;
  checks?: { name?: string; status?: string; output?: string; updated_at?: string }[];
}
