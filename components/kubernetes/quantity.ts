/**
 * Kubernetes resource quantities (`512Mi`, `4Gi`, `250m`, `2`), parsed the way the API server reads
 * them, so sizes can be compared before anything is declared (a limit below its request, a memory
 * limit below what the seeds measured).
 */
import { PAPERCLIP_MIN_MEMORY_MIB } from "../paperclip/paperclipSettings";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Bytes in a memory quantity (`512Mi`, `4Gi`, `1G`, `1073741824`), or undefined when it is not one. */
export function memoryBytes(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity);
  if (!match) return undefined;
  const suffix = match[2] ?? "";
  const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix]!;
  return Number(match[1]) * factor;
}

/** Millicores in a CPU quantity (`250m`, `1`, `1.5`), or undefined when it is not one. */
export function cpuMillicores(quantity: string): number | undefined {
  const milli = /^(\d+)m$/.exec(quantity);
  if (milli) return Number(milli[1]);
  const cores = /^(\d+(?:\.\d{1,3})?)$/.exec(quantity);
  return cores ? Math.round(Number(cores[1]) * 1000) : undefined;
}

/** 1 GiB: the smallest memory limit this project accepts for Paperclip (512 Mi was OOM-killed in the seeds). */
export const MIN_PAPERCLIP_MEMORY_LIMIT = `${PAPERCLIP_MIN_MEMORY_MIB / 1024}Gi`;
