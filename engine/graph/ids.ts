const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

let lastTime = 0;
let counter = 0;
// Random bytes for 64 ids per getRandomValues call: an import mints
// thousands of ids, and the call (an op into Rust) was most of newId's cost.
const pool = new Uint8Array(12 * 64);
let poolOffset = pool.length;

/**
 * A new node or edge id: 10 characters of milliseconds, then 12 random
 * characters, all base32. Ids sort by creation time (ties broken by a
 * counter), which gives pagination a stable order that writes never move.
 *
 * @param now the clock, a seam for tests
 * @returns a 22-character id
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    counter++;
    if (counter === 1024) {
      // The counter has two characters: past them, borrow the next
      // millisecond rather than wrap and sort before earlier ids.
      now = ++lastTime;
      counter = 0;
    }
  } else {
    lastTime = now;
    counter = 0;
  }
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  // The first two random characters carry the counter so ids minted in the
  // same millisecond still sort in creation order.
  let id = time + ALPHABET[(counter >> 5) & 31] + ALPHABET[counter & 31];
  for (let i = poolOffset + 2; i < poolOffset + 12; i++) {
    id += ALPHABET[pool[i]! & 31];
  }
  poolOffset += 12;
  return id;
}
