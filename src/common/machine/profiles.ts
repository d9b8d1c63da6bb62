// How each of the two machines boots. Shared by the page and by Node so both
// run exactly the same guest.

export type MachineRole = "target" | "builder";

export interface MachineProfile {
  role: MachineRole;
  memoryMB: number;
  cmdline: string;
}

// init_on_free=1: freed pages are zeroed, and v86 skips zero pages when it
// saves state, so snapshots stay small. tsc=reliable: v86's TSC is derived from
// the host clock, there is nothing for the clocksource watchdog to catch.
const COMMON = "console=ttyS0,115200 loglevel=4 init_on_free=1 tsc=reliable";

export const TARGET: MachineProfile = {
  role: "target",
  memoryMB: 128,
  cmdline: `${COMMON} klp.role=target`,
};

export const BUILDER: MachineProfile = {
  role: "builder",
  // cc1 on a big kernel file wants a few hundred MB.
  memoryMB: 512,
  cmdline: `${COMMON} klp.role=builder`,
};
