const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

let lastTime = 0;
let counter = 0;

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
  const random = crypto.getRandomValues(new Uint8Array(12));
  // The first two random characters carry the counter so ids minted in the
  // same millisecond still sort in creation order.
  random[0] = (counter >> 5) & 31;
  random[1] = counter & 31;
  return time + [...random].map((byte) => ALPHABET[byte & 31]).join("");
}
