/**
 * Every policy of the pack, Principle 3 first, then hardening. Each lives in its own module under
 * policies/; this list is what index.ts serves and what `npm run check` runs.
 */
import type { Policies } from "@pulumi/policy";
import { accessRequiresIdentityProvider } from "./policies/accessRequiresIdentityProvider";
import { agentClaudeCodeViaGateway } from "./policies/agentClaudeCodeViaGateway";
import { agentMailOnlyViaMcpEndpoint } from "./policies/agentMailOnlyViaMcpEndpoint";
import { agentModelTrafficViaGateway } from "./policies/agentModelTrafficViaGateway";
import { agentNoGatewayMasterKey } from "./policies/agentNoGatewayMasterKey";
import { agentNoMailServerAccess } from "./policies/agentNoMailServerAccess";
import { agentNoProviderCredentials } from "./policies/agentNoProviderCredentials";
import { agentNoServiceSecrets } from "./policies/agentNoServiceSecrets";
import { agentRuntimeBehindEgressBoundary } from "./policies/agentRuntimeBehindEgressBoundary";
import { edgeRoutesOnlyTheTunnel } from "./policies/edgeRoutesOnlyTheTunnel";
import { emailOutboxDrainedByHostOnly } from "./policies/emailOutboxDrainedByHostOnly";
import { imagesPinned } from "./policies/imagesPinned";
import { llamaSwapOnlyFromGateway } from "./policies/llamaSwapOnlyFromGateway";
import { noPlaceholderSecrets } from "./policies/noPlaceholderSecrets";
import { noPlaintextSecrets } from "./policies/noPlaintextSecrets";
import { openWebUiModelsViaGateway } from "./policies/openWebUiModelsViaGateway";
import { optionalSecretReferencesOptional } from "./policies/optionalSecretReferencesOptional";
import { paperclipMemoryLimit } from "./policies/paperclipMemoryLimit";
import { privilegedOnlyThroughAccess } from "./policies/privilegedOnlyThroughAccess";
import { probesPassHostnameGuard } from "./policies/probesPassHostnameGuard";
import { providerCredentialsOnlyInGateway } from "./policies/providerCredentialsOnlyInGateway";
import { publicServiceOnlyFromEdge } from "./policies/publicServiceOnlyFromEdge";
import { publishedPortsLoopback } from "./policies/publishedPortsLoopback";
import { rwoDeploymentsRecreate } from "./policies/rwoDeploymentsRecreate";
import { tunnelHostnamesBehindAccess } from "./policies/tunnelHostnamesBehindAccess";
import { tunnelIngressEndsIn404 } from "./policies/tunnelIngressEndsIn404";

export const PACK_NAME = "paperclip-harness";

/** Principle 3: agents reach models and mail only through the gateways a human would use. */
export const PRINCIPLE_3_POLICIES: Policies = [
  agentNoProviderCredentials,
  agentNoGatewayMasterKey,
  agentNoServiceSecrets,
  agentModelTrafficViaGateway,
  agentClaudeCodeViaGateway,
  providerCredentialsOnlyInGateway,
  openWebUiModelsViaGateway,
  llamaSwapOnlyFromGateway,
  agentNoMailServerAccess,
  emailOutboxDrainedByHostOnly,
  agentMailOnlyViaMcpEndpoint,
  agentRuntimeBehindEgressBoundary,
];

/** The seeds' hardening lessons. */
export const HARDENING_POLICIES: Policies = [
  publishedPortsLoopback,
  tunnelHostnamesBehindAccess,
  accessRequiresIdentityProvider,
  publicServiceOnlyFromEdge,
  edgeRoutesOnlyTheTunnel,
  privilegedOnlyThroughAccess,
  tunnelIngressEndsIn404,
  imagesPinned,
  noPlaintextSecrets,
  noPlaceholderSecrets,
  rwoDeploymentsRecreate,
  probesPassHostnameGuard,
  paperclipMemoryLimit,
  optionalSecretReferencesOptional,
];

export const POLICIES: Policies = [...PRINCIPLE_3_POLICIES, ...HARDENING_POLICIES];
