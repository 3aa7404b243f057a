import { ConnectionResetError } from "./mod.ts";
import { active_count, current_thread, Thread } from "./threading.ts";
async function tcplink(a: number, b: number) {
  await new Promise((r) => setTimeout(r, 5));
  console.log("in", current_thread().name, a, b, active_count());
  throw new ConnectionResetError(104);
}
const t = new Thread({ target: tcplink, args: [1, 2] });
t.start();
await t.join();
console.log(t.name, t.ident !== null, t.daemon, t.is_alive(), active_count(), current_thread().name);
const t2 = new Thread({ target: () => null }); console.log(t2.name, t2.ident);
const t3 = new Thread(); console.log(t3.name);
console.log(String(new Thread({name: "custom"})), String(t));
try { t.start(); } catch (e) { console.log((e as Error).name, (e as Error).message); }
try { await new Thread({target: console.log}).join(); } catch (e) { console.log((e as Error).name, (e as Error).message); }
new Thread({ target: function boom() { throw 42; } }).start();
