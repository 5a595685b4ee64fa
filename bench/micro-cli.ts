import { fmt } from "./measure";
import { runMicro } from "./micro";

/* eslint-disable no-console -- a command-line script reports to its terminal */
async function main(): Promise<void> {
  for (const result of await runMicro()) console.log(`${result.name.padEnd(70)} ${fmt(result.micros).padStart(10)}  ${result.range}`);
}
void main();
