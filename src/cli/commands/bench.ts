import { timeColdBoot } from "../../node/bench/boot.ts";
import { benchCompile } from "../../node/bench/compile.ts";
import { benchTarget } from "../../node/bench/target.ts";
import { benchLivePatch } from "../../node/bench/live-patch.ts";
import { benchPage } from "../../node/bench/page.ts";
import { benchParsers } from "../../node/bench/parsers.ts";
import { benchGarble } from "../../node/bench/garble.ts";
import { benchWasmCompile } from "../../node/bench/wasm-compile.ts";
import { benchRoads } from "../../node/bench/roads.ts";
import { parseOptions, type Command } from "../command.ts";

const HELP = `usage: klp bench

Measures the playground end to end on this machine and prints one JSON object
(progress goes to stderr). Times are wall-clock seconds unless named _ms:
  target_cold_boot_s          a fresh \`klp boot --exec true\`: process start to exit
  target_restore_s            resume the target's warm snapshot until its agent answers
  exec_roundtrip_ms           median control-channel round trip (\`true\`)
  builder_boot_s / builder_restore_s   the build host, cold and from its snapshot
  compile_cmdline_vm_s        fs/proc/cmdline.c, recorded kbuild command, plain, in the VM
  compile_cmdline_native_s    the same command, same i386 binaries, natively
  compile_cmdline_vm_first_s  first compile of an edited cmdline.c (builds PCH + baseline)
  compile_cmdline_vm_repeat_s the same file edited again (PCH reused)
  compile_sys_vm_first_s / compile_sys_vm_repeat_s / compile_sys_native_s   kernel/sys.c
  *_over_native               ratios VM / native
  compile_wasm_load_s         the WebAssembly cc1 + as: read, WebAssembly.compile (once per process)
  compile_cmdline_wasm_first_s / compile_sys_wasm_first_s   the first compile of each with the WebAssembly gcc, just loaded (V8 optimises cc1's hot code meanwhile)
  compile_cmdline_wasm_s / compile_sys_wasm_s   the same files edited again (the editing loop)
  *_wasm_over_native          ratios wasm / native (the same edit compiled natively)
  roads_transition_ms_<model> the cmdline sample's transition under each consistency model (fresh target each)
  roads_stop_window_max_us    the longest stop of the whole machine on the stop-machine road (idle target)
  klp_diff_assemble_ms        object diff + module assembly for the cmdline change (median of 10)
  apply_transition_ms         insmod to the end of the transition, on the resumed target
  edit_to_live_vm_s           both machines from snapshots -> build (VM, first) -> load -> new behaviour
  edit_to_live_vm_repeat_s    the same file edited again (PCH reused, atomic replace)
  edit_to_live_three_files_native_s  fork-shadow sample (fork.c, exit.c, proc/array.c in one module), native build -> load -> new behaviour
  page_to_prompt_s            Chromium headless: navigation to a shell that answers typing
  first_visit_bytes           bytes fetched until then (page, workers, images)
  page_build_apply_sample_s   a first visit, cmdline sample: Build (the page's compiler: the WebAssembly gcc where it runs) -> Apply -> patched output
  page_prepare_s              a second visit: page ready -> the background prepare done (compiler loaded, the patch's files fetched; the VM: resumed, headers precompiled)
  page_build_prepared_s       then Build -> built (what a visitor who read the patch first waits)
  page_session_bytes          bytes the server sent for a first visit + Build + Apply, then a second visit + Build (same browser profile)
  page_second_visit_bytes     of those, the second visit's and its build's (what the service worker's cache did not hold)
  page_build_sys_s            a cold visit (fresh profile): the uname sample's one-line change in kernel/sys.c, Build -> built
  first_build_bytes           what that first Build downloaded (bytes sent from the ready prompt to built)
  page_offline_to_prompt_s    then, no server and the browser offline: reload -> a prompt that answers (the service worker's cache)
  diff_large_rewrite_ms       makeDiff -> parseDiff -> applyPatch of a 5000-line file, a third of it changed and reversed
  diff_pathological_parse_max_ms  the slowest of the parser's pathological inputs (huge hunks, long lines)
  struct_scan_sched_h_ms      the struct-change check over include/linux/sched.h (full scan)
  garble_patches / garble_patches_s / garble_patches_max_ms   mutated patches through parse, apply, plan (a random seed, on stderr): count, time, slowest one
  garble_objects / garble_objects_s / garble_objects_max_ms   corrupted objects through diff, assemble: the same (each refusal's code and count on stderr)
  garble_findings             crashes, untyped or internal errors, hangs found (0 expected; the seed and input are on stderr)`;

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export const benchCommand: Command = {
  name: "bench",
  usage: "bench",
  summary: "measure boot, restore, control and compile times; print JSON",
  help: HELP,
  async run(args) {
    parseOptions(args, {});
    const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
    const result: Record<string, number> = {};
    log("target cold boot (klp boot --exec true)");
    result.target_cold_boot_s = round(await timeColdBoot());
    log("target snapshot and control channel");
    const t = await benchTarget();
    result.target_restore_s = round(t.restoreSeconds);
    result.exec_roundtrip_ms = round(t.execRoundtripMs, 1);
    const c = await benchCompile(log);
    Object.assign(result, {
      builder_boot_s: round(c.builderBootSeconds),
      builder_restore_s: round(c.builderRestoreSeconds),
      compile_cmdline_vm_s: round(c.cmdlineVmSeconds),
      compile_cmdline_native_s: round(c.cmdlineNativeSeconds),
      compile_cmdline_vm_over_native: round(c.cmdlineVmSeconds / c.cmdlineNativeSeconds, 1),
      compile_cmdline_vm_first_s: round(c.cmdlineVmFirstSeconds),
      compile_cmdline_vm_repeat_s: round(c.cmdlineVmRepeatSeconds),
      compile_sys_vm_first_s: round(c.sysVmFirstSeconds),
      compile_sys_vm_repeat_s: round(c.sysVmRepeatSeconds),
      compile_sys_native_s: round(c.sysNativeSeconds),
      compile_sys_vm_repeat_over_native: round(c.sysVmRepeatSeconds / c.sysNativeSeconds, 1),
    });
    const w = await benchWasmCompile(log);
    if (w) {
      Object.assign(result, {
        compile_wasm_load_s: round(w.loadSeconds),
        compile_cmdline_wasm_first_s: round(w.cmdlineFirstSeconds),
        compile_sys_wasm_first_s: round(w.sysFirstSeconds),
        compile_cmdline_wasm_s: round(w.cmdlineSeconds),
        compile_sys_wasm_s: round(w.sysSeconds),
        compile_cmdline_wasm_over_native: round(w.cmdlineSeconds / w.cmdlineNativeSeconds, 2),
        compile_sys_wasm_over_native: round(w.sysSeconds / w.sysNativeSeconds, 2),
      });
    }
    const roads = await benchRoads(log);
    for (const [model, ms] of Object.entries(roads.transitionMs)) result[`roads_transition_ms_${model.replace("-", "_")}`] = round(ms, 1);
    result.roads_stop_window_max_us = roads.stopWindowMaxUs;
    const l = await benchLivePatch(log);
    Object.assign(result, {
      klp_diff_assemble_ms: round(l.diffAssembleMs, 1),
      apply_transition_ms: round(l.applyTransitionMs, 0),
      edit_to_live_vm_s: round(l.editToLiveVmSeconds),
      edit_to_live_vm_repeat_s: round(l.editToLiveVmRepeatSeconds),
      edit_to_live_three_files_native_s: round(l.threeFilesNativeSeconds),
    });
    const p = await benchPage(log);
    Object.assign(result, {
      page_to_prompt_s: round(p.pageToPromptSeconds),
      first_visit_bytes: p.firstVisitBytes,
      page_build_apply_sample_s: round(p.buildApplySampleSeconds),
      page_prepare_s: round(p.prepareSeconds),
      page_build_prepared_s: round(p.buildPreparedSeconds),
      page_session_bytes: p.sessionBytes,
      page_second_visit_bytes: p.secondVisitBytes,
      page_offline_to_prompt_s: round(p.offlineToPromptSeconds),
      page_build_sys_s: round(p.buildSysSeconds),
      first_build_bytes: p.firstBuildBytes,
    });
    log("text tools' worst cases");
    const x = benchParsers();
    Object.assign(result, {
      diff_large_rewrite_ms: round(x.largeRewriteRoundTripMs, 1),
      diff_pathological_parse_max_ms: round(x.pathologicalParseMaxMs, 1),
      struct_scan_sched_h_ms: round(x.structScanSchedHMs, 1),
    });
    log("garbled input, at scale");
    const g = await benchGarble(log);
    Object.assign(result, {
      garble_patches: g.patches.inputs,
      garble_patches_s: round(g.patches.ms / 1000),
      garble_patches_max_ms: round(g.patches.maxInputMs, 1),
      garble_objects: g.objects.inputs,
      garble_objects_s: round(g.objects.ms / 1000),
      garble_objects_max_ms: round(g.objects.maxInputMs, 1),
      garble_findings: g.findings,
    });
    console.log(JSON.stringify(result, null, 2));
    return 0;
  },
};
