// Reading a built livepatch module back (klp inspect). Pure functions over bytes.
export { inspectModule, InspectError, type ModuleInspection, type InspectedFunction, type InspectedKlpRela, type InspectedSection, type InspectedCallback } from "./inspect.ts";
export { formatInspection } from "./format.ts";
