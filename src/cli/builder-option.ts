import { parseBuilderKind, type BuilderKind } from "../node/klp/index.ts";
import { CliUsageError } from "./command.ts";

/** `--builder wasm|vm|native`: a wrong value is the user's usage error, not a crash. */
export function builderOption(value: string | boolean | undefined): BuilderKind {
  try {
    return parseBuilderKind(value);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}
