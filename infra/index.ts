/**
 * Entry point Pulumi runs (`main: infra/` in Pulumi.yaml). The Node.js runtime calls the exported
 * function and turns what it returns into stack outputs.
 */
import { program } from "./program";

export = program;
