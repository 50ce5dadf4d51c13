export type { ValidationResult, ValidatorStatus } from "./types";
export { findTool, isCi, missingToolMessage, missingToolResult, REPO_TOOLS_BIN, type ToolName } from "./tools";
export {
  quadletValidator,
  generatedUnitNamed,
  type GeneratedUnit,
  type QuadletValidation,
  type QuadletValidationOptions,
} from "./quadletValidator";
export { DEFAULT_TARGET_EXECUTABLES, verifyUserUnits } from "./systemdVerify";
export { caddyValidator, type CaddyValidationOptions } from "./caddyValidator";
export { shellcheckValidator, type ShellcheckValidationOptions } from "./shellcheckValidator";
export { kubernetesValidator, type KubernetesValidationOptions } from "./kubernetesValidator";
export { dockerfileValidator, type DockerfileValidationOptions } from "./dockerfileValidator";
export { countResults, formatResultsTable } from "./formatResults";
export { postconfValidator, type PostconfValidationOptions } from "./postconfValidator";
