// Tells the person that a stored record was set aside, and lets them keep it as a file.
import type { Notice } from "../panels/notice.ts";
import type { SetAside } from "./store.ts";

export function showSetAside(notice: Notice, s: SetAside): void {
  notice.show("warn", s.message, {
    label: "Save it as a file",
    run: () => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([s.text], { type: "application/json" }));
      a.download = `${s.key.replace(/[^\w.-]+/g, "_")}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    },
  });
}
