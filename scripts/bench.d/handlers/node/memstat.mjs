// Bench handler: the runtime's VmRSS/VmHWM in KiB, read right after its first `next`.
import { readFileSync } from "node:fs";

export const handler = async () => {
  const found = {};
  for (const line of readFileSync("/proc/self/status", "utf8").split("\n")) {
    const [name, value] = line.split(":");
    if (name === "VmRSS" || name === "VmHWM") found[name] = parseInt(value, 10);
  }
  return found;
};
