/**
 * A catalog run of our own: skills written the way published ones are
 * (tests/fixtures/catalog), run offline against a real 127.0.0.1 server
 * behind the origin map, in a real engine with real sandboxed workers.
 * Every tool's records land once, in the right shape, with the right
 * relations; a second run and a removed-then-re-added skill land on the
 * same nodes.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { localServer } from "./skills_helpers.ts";
import { REPO_ROOT } from "./_task_command.ts";

type Json = Record<string, unknown>;

const CATALOG = `${REPO_ROOT}tests/fixtures/catalog`;

const ORIGINS = [
  "https://api.registrar.test",
  "https://api.forge.test",
  "https://models.runtime.test",
  "https://api.forum.test",
  "https://www.reads.test",
  "https://api.skyair.test",
  "https://riders.ride.test",
  "https://widgets.gym.test",
  "https://api.budget.test",
  "https://api.notes.test",
  "https://www.tube.test",
  "https://www.shop.test",
  "https://api.teamspace.test",
  "https://api.planner.test",
  "https://api.social.test",
];

const BOOK_A = {
  isbn: "9780000000011",
  title: "The Long Walk Home",
  author: "R. Vale",
};
const BOOK_B = {
  isbn: "9780000000028",
  title: "Salt and Stone",
  author: "M. Okafor",
};
const SEG_1 = {
  no: 101,
  dep: "2026-04-02T08:00:00Z",
  arr: "2026-04-02T10:10:00Z",
  from: "AUS",
  to: "DEN",
  equipment: "738",
  model: "737-800",
};
const SEG_2 = {
  no: 440,
  dep: "2026-04-02T11:30:00Z",
  arr: "2026-04-02T13:05:00Z",
  from: "DEN",
  to: "SFO",
  equipment: "320",
};

/** What the local server answers, by "METHOD /path" (query ignored). */
const ROUTES: Record<string, unknown> = {
  "GET /.well-known/endpoints": { graphql: "https://api.social.test/gql/v2" },
  "POST /gql/v2": {
    data: {
      me: {
        accounts: [{ id: "u-1", handle: "ada" }, {
          id: "u-2",
          handle: "ada_work",
        }],
      },
    },
  },
  "GET /v2/domains": [
    {
      fqdn: "owner.example",
      state: "active",
      autorenew: true,
      dates: { expires: "2027-01-05" },
      ns: ["ns1.registrar.test"],
    },
    {
      fqdn: "side-project.example",
      state: "active",
      autorenew: false,
      dates: { expires: "2026-09-30" },
      ns: [],
    },
  ],
  "GET /v2/domains/owner.example/records": [
    { name: "@", type: "A", values: ["192.0.2.10"], ttl: 300 },
    { name: "www", type: "CNAME", values: ["owner.example."], ttl: 3600 },
    { name: "@", type: "MX", values: ["10 mx.owner.example."] },
  ],
  "GET /repos/ada/engine/commits": [
    {
      sha: "a".repeat(40),
      message: "Fix the parser\n\nLong story.",
      date: "2026-03-01T10:00:00Z",
      author: { login: "ada" },
      stats: { additions: 12, deletions: 3 },
    },
    {
      sha: "b".repeat(40),
      message: "Add tests",
      date: "2026-03-02T10:00:00Z",
      author: { login: "lin" },
    },
  ],
  "GET /repos/ada/engine/branches": [
    { name: "main", head: "b".repeat(40), default: true },
    { name: "parser", head: "a".repeat(40) },
  ],
  "GET /api/tags": {
    models: [
      {
        name: "tiny:1b",
        size: 700000000,
        digest: "d1",
        modified_at: "2026-02-01T00:00:00Z",
        details: {
          family: "tiny",
          parameter_size: "1B",
          quantization_level: "Q4_K_M",
        },
      },
      {
        name: "mid:8b",
        size: 4900000000,
        digest: "d8",
        modified_at: "2026-02-03T00:00:00Z",
        details: {
          family: "mid",
          parameter_size: "8B",
          quantization_level: "Q4_0",
        },
      },
    ],
  },
  "GET /api/ps": {
    models: [{
      name: "tiny:1b",
      digest: "d1",
      loaded_at: "2026-03-05T09:00:00Z",
      expires_at: "2026-03-05T09:05:00Z",
      size_vram: 650000000,
    }],
  },
  "GET /communities": [
    { slug: "gardening", title: "Gardening", members: 1200 },
    { slug: "bikes", title: "Bicycles", members: 800 },
  ],
  "GET /posts/p1": {
    id: "p1",
    title: "Tomatoes in March?",
    body: "Too early?",
    created: "2026-03-01T08:00:00Z",
    score: 14,
    by: "sam",
  },
  "GET /search": {
    hits: [
      {
        id: "p1",
        title: "Tomatoes in March?",
        score: 0.93,
        community: "gardening",
      },
      { id: "p2", title: "Tomato cages", score: 0.71, community: "gardening" },
    ],
  },
  "GET /user/u7/shelves.json": [
    { id: "s1", name: "read", exclusive: true, books: [BOOK_A, BOOK_B] },
    { id: "s2", name: "favourites", exclusive: false, books: [BOOK_A] },
  ],
  "GET /user/u7/reviews.json": [{
    id: "r1",
    stars: 4,
    text: "Slow start, great end.",
    date: "2026-01-10",
    book: BOOK_A,
  }],
  "GET /user/u7/quotes.json": [{
    id: "q1",
    text: "Every road is a long walk home.",
    by: "R. Vale",
    book: BOOK_A,
  }],
  "GET /user/u7/groups.json": [{
    id: "g1",
    name: "Sunday Readers",
    members: 42,
  }],
  "POST /shop": {
    offers: [
      {
        offerId: "o-1",
        total: 312.4,
        currency: "USD",
        segments: [SEG_1, SEG_2],
      },
      {
        offerId: "o-2",
        total: 280,
        currency: "USD",
        segments: [{
          ...SEG_1,
          no: 103,
          dep: "2026-04-02T14:00:00Z",
          to: "SFO",
        }],
      },
    ],
  },
  "GET /me/bookings": [
    {
      pnr: "QX7K2M",
      total: 312.4,
      currency: "USD",
      segments: [SEG_1, SEG_2],
      travelers: [{ name: "Ada Owner", email: "ada@owner.example" }],
    },
  ],
  "GET /me/bookings/QX7K2M/seats": {
    flight: 101,
    dep: SEG_1.dep,
    arr: SEG_1.arr,
    from: "AUS",
    to: "DEN",
    equipment: "738",
    cabin: "Y",
    total: 162,
    free: 37,
    rows: [{ row: 12, seats: ["A", "B"] }],
  },
  "GET /me/bookings/QX7K2M/passes": [
    {
      barcode: "M1OWNER/ADA QX7K2M",
      seat: "12A",
      group: "3",
      gate: "B7",
      email: "ada@owner.example",
      traveler: "Ada Owner",
    },
  ],
  "POST /carts": {
    cart: "c-55",
    total: 312.4,
    currency: "USD",
    expires: "2026-03-10T12:00:00Z",
    taxes: [{ code: "US", amount: 21.1 }, { code: "XF", amount: 4.5 }],
    card: { token: "tok_9", last4: "4242" },
  },
  "POST /graphql": {
    data: {
      activities: [
        {
          uuid: "ride-1",
          status: "COMPLETED",
          began: "2026-02-20T18:00:00Z",
          ended: "2026-02-20T18:25:00Z",
          fare: 18.5,
          currency: "USD",
          product: "Comfort",
          driver: "Kim",
          driverPhone: "+15550100",
          waypoints: ["1 Home St", "5 School Rd", "9 Work Ave"],
        },
      ],
      accounts: [
        {
          id: "acc-1",
          name: "Everyday Checking",
          mask: "1234",
          type: "checking",
          balance: 1520.33,
          institution: { name: "First Test Bank", domain: "firsttest.example" },
        },
        {
          id: "acc-2",
          name: "Travel Card",
          mask: "9876",
          type: "credit",
          balance: -312.4,
          limit: 5000,
          institution: { name: "First Test Bank", domain: "firsttest.example" },
        },
      ],
    },
  },
  "GET /api/session": { token: "public-widget" },
  "GET /api/events": {
    items: [
      {
        id: 9001,
        title: "Intro to Bouldering",
        starts: "2026-03-07T17:00:00Z",
        ends: "2026-03-07T18:30:00Z",
        kind: "class",
        capacity: 8,
        booked: 8,
        coach: "Jo",
        coachEmail: "jo@gym.test",
      },
      {
        id: 9002,
        title: "Technique Clinic",
        starts: "2026-03-08T17:00:00Z",
        ends: "2026-03-08T18:30:00Z",
        kind: "clinic",
        capacity: 10,
        booked: 4,
        coach: "Jo",
        coachEmail: "jo@gym.test",
      },
    ],
  },
  "GET /api/me/memberships": [{
    id: "m-1",
    plan: "Monthly Unlimited",
    state: "active",
    tier: "unlimited",
    renews: true,
    price: 89,
    since: "2025-06-01",
  }],
  "GET /api/me/passes": [{
    id: "pp-1",
    name: "10-Punch Card",
    total: 10,
    used: 3,
  }],
  "GET /accounts/acc-1/transactions": [
    { id: "t-1", merchant: "Corner Cafe", amount: -4.5, date: "2026-03-01" },
    { id: "t-2", merchant: "Payroll", amount: 2500, date: "2026-03-01" },
  ],
  "POST /v1/get-documents": {
    docs: [
      {
        id: "doc-1",
        title: "Weekly sync",
        meeting_start: "2026-03-02T15:00:00Z",
        meeting_end: "2026-03-02T15:30:00Z",
        notes_markdown: "- ship it",
        platform: "zoom",
        creator: { email: "ada@owner.example" },
      },
      {
        id: "doc-2",
        title: "Design review",
        meeting_start: "2026-03-03T15:00:00Z",
        meeting_end: "2026-03-03T16:00:00Z",
        notes_markdown: "- fewer knobs",
        creator: { email: "ada@owner.example" },
      },
    ],
  },
  "GET /v1/documents/doc-1/actions": [
    {
      id: "ai-1",
      text: "Send the notes",
      done: false,
      owner: "lin@owner.example",
    },
    {
      id: "ai-2",
      text: "Book the room",
      done: true,
      owner: "ada@owner.example",
    },
  ],
  "GET /@field-notes/about.json": {
    channelId: "UC123",
    title: "Field Notes",
    subscribers: 5400,
    banner: "https://tube.test/b.jpg",
  },
  "GET /@field-notes/videos.json": [
    {
      videoId: "v1",
      title: "Mosses up close",
      uploaded: "2026-02-01",
      thumb: "https://tube.test/v1.jpg",
    },
    {
      videoId: "v2",
      title: "Lichen walk",
      uploaded: "2026-02-15",
      thumb: "https://tube.test/v2.jpg",
    },
  ],
  "GET /hz/wishlist/ls.json": [
    {
      listId: "L1",
      name: "Birthday",
      privacy: "SHARED",
      default: true,
      items: [{ asin: "B001", title: "Trail shoes", price: 120 }, {
        asin: "B002",
        title: "Headlamp",
        price: 35,
      }],
    },
  ],
  "GET /invites": {
    invites: [{
      id: "inv-1",
      email: "new@teammate.example",
      role: "member",
      status: "pending",
      created: "2026-03-01T09:00:00Z",
    }],
  },
  "POST /invites": {
    id: "inv-2",
    email: "second@teammate.example",
    role: "admin",
    status: "pending",
    created: "2026-03-04T09:00:00Z",
  },
  "GET /itineraries": [
    {
      id: 71,
      title: "Lisbon long weekend",
      status: "planned",
      cities: ["Lisbon"],
      nights: 3,
    },
    {
      id: 72,
      title: "Alps loop",
      status: "draft",
      cities: ["Zurich", "Chur"],
      nights: 6,
    },
  ],
};

interface Case {
  skill: string;
  tool: string;
  params?: Json;
  /** The top-level shape and how many records. */
  shape: string;
  count: number;
  /** Relations the first record has: label → the target's shape. */
  relations?: Record<string, string>;
  /** Shapes that must hold exactly this many nodes after both runs. */
  totals?: Record<string, number>;
}

const CASES: Case[] = [
  {
    skill: "registrar-desk",
    tool: "list_domains",
    shape: "domain",
    count: 2,
    relations: { at: "product" },
  },
  {
    skill: "registrar-desk",
    tool: "list_dns_records",
    params: { domain: "owner.example" },
    shape: "dns_record",
    count: 3,
    relations: { of_domain: "domain" },
    totals: { domain: 2 },
  },
  {
    skill: "commit-log",
    tool: "list_git_commits",
    params: { repo: "ada/engine" },
    shape: "git_commit",
    count: 2,
    relations: { authored_by: "account", in_repository: "repository" },
  },
  {
    skill: "commit-log",
    tool: "list_branches",
    params: { repo: "ada/engine" },
    shape: "branch",
    count: 2,
    relations: { head: "git_commit" },
    totals: { git_commit: 2 },
  },
  {
    skill: "local-models",
    tool: "list_models",
    shape: "model",
    count: 2,
    relations: { at: "product" },
  },
  {
    skill: "local-models",
    tool: "ps",
    shape: "loaded_model",
    count: 1,
    relations: { instance_of: "model" },
    totals: { model: 2 },
  },
  {
    skill: "forum-reader",
    tool: "list_communities",
    shape: "community",
    count: 2,
    relations: { at: "website" },
  },
  {
    skill: "forum-reader",
    tool: "read_post",
    params: { url: "https://forum.test/p/p1" },
    shape: "post",
    count: 1,
    relations: { author: "account", at: "website" },
  },
  {
    skill: "forum-reader",
    tool: "search_posts",
    params: { q: "tomato" },
    shape: "result",
    count: 2,
    relations: { community: "community" },
    totals: { community: 2 },
  },
  {
    skill: "reading-log",
    tool: "list_shelves",
    params: { user_id: "u7" },
    shape: "shelf",
    count: 2,
    relations: { holds: "book", at: "website" },
    totals: { book: 2 },
  },
  {
    skill: "reading-log",
    tool: "list_reviews",
    params: { user_id: "u7" },
    shape: "review",
    count: 1,
    relations: { of_book: "book" },
    totals: { book: 2 },
  },
  {
    skill: "reading-log",
    tool: "list_quotes",
    params: { user_id: "u7" },
    shape: "quote",
    count: 1,
    relations: { from_book: "book" },
  },
  {
    skill: "reading-log",
    tool: "list_groups",
    params: { user_id: "u7" },
    shape: "group",
    count: 1,
  },
  {
    skill: "sky-air",
    tool: "search_flights",
    params: { origin: "AUS", destination: "SFO", date: "2026-04-02" },
    shape: "offer",
    count: 2,
    relations: {
      at: "airline",
      origin: "airport",
      destination: "airport",
      legs: "flight",
    },
    totals: { airport: 3, flight: 3, airline: 1, aircraft: 2 },
  },
  {
    skill: "sky-air",
    tool: "list_trips",
    shape: "reservation",
    count: 1,
    relations: { trips: "trip", passengers: "person" },
    totals: { flight: 3, trip: 1 },
  },
  {
    skill: "sky-air",
    tool: "get_seatmap",
    params: { pnr: "QX7K2M" },
    shape: "seatmap",
    count: 1,
    relations: { for_flight: "flight" },
    totals: { flight: 3 },
  },
  {
    skill: "sky-air",
    tool: "boarding_passes",
    params: { pnr: "QX7K2M" },
    shape: "pass",
    count: 1,
    relations: { holder: "person" },
  },
  {
    skill: "sky-air",
    tool: "prepare_booking",
    params: { offer_id: "o-1" },
    shape: "booking_offer",
    count: 1,
    relations: { taxes: "tax_line", pays_with: "payment_method" },
    totals: { tax_line: 2 },
  },
  {
    skill: "ride-hail",
    tool: "list_trips",
    shape: "trip",
    count: 1,
    relations: {
      origin: "place",
      destination: "place",
      legs: "leg",
      driver: "person",
    },
    totals: { leg: 5 }, // 2 ride legs, and the 3 flights (a flight is a leg)
  },
  {
    skill: "climb-gym",
    tool: "get_schedule",
    params: { start: "2026-03-07" },
    shape: "class",
    count: 2,
    relations: { at: "organization", taught_by: "person" },
  },
  {
    skill: "climb-gym",
    tool: "get_my_memberships",
    shape: "membership",
    count: 1,
    relations: { at: "organization" },
  },
  { skill: "climb-gym", tool: "get_my_passes", shape: "pass", count: 1 },
  {
    skill: "budget-sync",
    tool: "load_accounts",
    shape: "financial_account",
    count: 2,
    relations: { at: "organization" },
    totals: { organization: 3 }, // the bank, the gym and the airline
  },
  {
    skill: "budget-sync",
    tool: "list_transactions",
    params: { account_id: "acc-1" },
    shape: "transaction",
    count: 2,
    relations: { account: "account" },
  },
  {
    skill: "meeting-notes",
    tool: "list_meetings",
    shape: "meeting",
    count: 2,
    relations: { organizer: "account" },
  },
  {
    skill: "meeting-notes",
    tool: "list_action_items",
    params: { meeting_id: "doc-1" },
    shape: "task",
    count: 2,
    relations: { assigned_to: "person" },
  },
  {
    skill: "video-channel",
    tool: "get_channel",
    params: { handle: "field-notes" },
    shape: "channel",
    count: 1,
    relations: { at: "website" },
  },
  {
    skill: "video-channel",
    tool: "list_videos",
    params: { handle: "field-notes" },
    shape: "video",
    count: 2,
  },
  {
    skill: "wish-lists",
    tool: "list_lists",
    shape: "list",
    count: 1,
    relations: { contains: "product", at: "website" },
  },
  {
    skill: "team-invites",
    tool: "list_invites",
    shape: "invitation",
    count: 1,
    relations: { at: "product", invitee: "person" },
  },
  {
    skill: "team-invites",
    tool: "send_invite",
    params: { email: "second@teammate.example" },
    shape: "invitation",
    count: 1,
  },
  { skill: "trip-planner", tool: "list", shape: "object", count: 2 },
];

const SKILLS = [...new Set(CASES.map((c) => c.skill))];

async function startCatalogRun() {
  const server = localServer(async (request, url) => {
    if (request.method === "POST") await request.body?.cancel();
    const body = ROUTES[`${request.method} ${url.pathname}`];
    return body === undefined
      ? Response.json({ error: `no route ${url.pathname}` }, { status: 404 })
      : Response.json(body);
  });
  const engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify(
        Object.fromEntries(ORIGINS.map((o) => [o, server.origin])),
      ),
    },
  });
  return { server, engine };
}

Deno.test("catalog run: every fixture skill's records land once, in their shape, with their relations", async (t) => {
  const { server, engine } = await startCatalogRun();
  await using _server = server;
  await using _engine = engine;
  const client = await engine.client();
  for (const skill of SKILLS) {
    await client.call("skills.add", { path: `${CATALOG}/${skill}` });
  }
  const run = (c: Case) =>
    client.call<
      {
        result: unknown;
        records: {
          created: number;
          updated: number;
          warnings: string[];
          ids: string[];
        };
      }
    >(
      "skills.run",
      { skill: c.skill, tool: c.tool, params: c.params ?? {} },
    );
  const total = async (shape: string) =>
    (await client.call<{ items: unknown[] }>("graph.list", {
      shape,
      limit: 500,
    })).items.length;
  const node = (id: string) =>
    client.call<
      {
        shapes: string[];
        values: Json;
        edges_out: { label: string; to: string }[];
      }
    >("graph.get", { id });

  for (const c of CASES) {
    await t.step(`${c.skill} ${c.tool} → ${c.shape}`, async () => {
      const first = await run(c);
      assert.deepEqual(first.records.warnings, [], "no warnings");
      assert.equal(first.records.ids.length, c.count, "records written");
      const again = await run(c);
      assert.equal(again.records.created, 0, "a second run creates nothing");
      assert.equal(again.records.updated, 0, "a second run changes nothing");
      assert.deepEqual(again.records.ids, first.records.ids, "same nodes");
      const top = await node(first.records.ids[0]!);
      assert.ok(top.shapes.includes(c.shape), `${top.shapes} has ${c.shape}`);
      for (const [label, shape] of Object.entries(c.relations ?? {})) {
        const edge = top.edges_out.find((e) => e.label === label);
        assert.ok(edge, `relation ${label}`);
        assert.ok(
          (await node(edge.to)).shapes.includes(shape),
          `${label} → ${shape}`,
        );
      }
      for (const [shape, count] of Object.entries(c.totals ?? {})) {
        assert.equal(await total(shape), count, `${shape} nodes`);
      }
    });
  }

  await t.step("void remembers nothing and warns about nothing", async () => {
    const out = await client.call<{ result: Json; records: Json }>(
      "skills.run",
      {
        skill: "climb-gym",
        tool: "public_authenticate",
        params: {},
      },
    );
    assert.equal(out.result.ok, true);
    assert.deepEqual(out.records, {
      created: 0,
      updated: 0,
      warnings: [],
      ids: [],
    });
  });

  await t.step(
    "web_read of a forum URL goes to the forum's reader",
    async () => {
      const out = await client.call<
        { provider: { skill: string }; result: Json; records: Json }
      >(
        "capability.invoke",
        { name: "web_read", params: { url: "https://www.forum.test/p/p1" } },
      );
      assert.equal(out.provider.skill, "forum-reader");
      assert.equal(out.result.name, "Tomatoes in March?");
      assert.equal(
        out.records.created,
        0,
        "the post it read is the one already there",
      );
    },
  );

  await t.step(
    "a name the owner wrote survives the next import, and graph.history says why",
    async () => {
      const c = CASES.find((x) => x.tool === "list_meetings")!;
      const [id] = (await run(c)).records.ids;
      await client.call("graph.update", {
        id,
        values: { name: "Weekly sync (renamed by me)" },
        actor: "agent:desktop",
      });
      await run(c);
      const after = await node(id!);
      assert.equal(after.values.name, "Weekly sync (renamed by me)");
      const { changes } = await client.call<{
        changes: { op: string; key: string; explanation?: string }[];
      }>("graph.history", { id });
      const kept = changes.filter((ch) => ch.op === "keep");
      assert.deepEqual(kept.map((ch) => ch.key), ["name"]);
      assert.match(
        kept[0]!.explanation!,
        /which agent:desktop wrote; skill:meeting-notes proposed "Weekly sync"/,
      );
    },
  );

  await t.step(
    "a removed and re-added skill resumes on the same nodes (records with no identity)",
    async () => {
      const c = CASES.find((x) => x.tool === "list_meetings")!;
      const before = (await run(c)).records.ids;
      await client.call("skills.remove", { id: "meeting-notes" });
      await client.call("skills.add", { path: `${CATALOG}/meeting-notes` });
      const after = await run(c);
      assert.deepEqual(after.records.ids, before);
      assert.equal(after.records.created, 0);
      assert.equal(await total("meeting"), 2);
    },
  );
});

Deno.test("catalog run: every shape our catalog-style fixtures return is a loaded shape", async () => {
  const names = new Set<string>();
  for (const skill of SKILLS) {
    for await (const entry of Deno.readDir(`${CATALOG}/${skill}`)) {
      if (!entry.name.endsWith(".py")) continue;
      const source = await Deno.readTextFile(
        `${CATALOG}/${skill}/${entry.name}`,
      );
      for (
        const m of source.matchAll(/@returns\(\s*["']([a-z_]+)(?:\[\])?["']/g)
      ) names.add(m[1]!);
      for (
        const m of source.matchAll(/["']shape["']\s*:\s*["']([a-z_]+)["']/g)
      ) names.add(m[1]!);
    }
  }
  assert.ok(names.size >= 30, `${names.size} names`);
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const missing: string[] = [];
  for (const name of names) {
    try {
      await client.call("shapes.get", { name });
    } catch {
      missing.push(name);
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("catalog run: @claims links the owner, __cache__/__data__ come back to the next call, tools see their connection", async (t) => {
  const { server, engine } = await startCatalogRun();
  await using _server = server;
  await using _engine = engine;
  const client = await engine.client();
  await client.call("skills.add", { path: `${CATALOG}/profile-sync` });
  const run = (tool: string, params: Json = {}) =>
    client.call<
      { result: Json; records: { ids: string[]; warnings: string[] } }
    >(
      "skills.run",
      { skill: "profile-sync", tool, params },
    );
  const discoveries = () =>
    server.requests.filter((r) => r === "GET /.well-known/endpoints").length;

  await t.step(
    "a claimed record is linked from the owner's person node, created once",
    async () => {
      const first = await run("my_accounts");
      assert.deepEqual(first.records.warnings, []);
      assert.equal(first.records.ids.length, 2);
      const { items } = await client.call<
        { items: { id: string; values: Json }[] }
      >(
        "graph.list",
        { shape: "person", where: { isSelf: true } },
      );
      assert.equal(items.length, 1, "one owner node");
      const owner = await client.call<
        { edges_out: { label: string; to: string }[] }
      >(
        "graph.get",
        { id: items[0]!.id },
      );
      assert.deepEqual(
        owner.edges_out.filter((e) => e.label === "claims").map((e) => e.to)
          .sort(),
        [...first.records.ids].sort(),
      );
    },
  );

  await t.step(
    "__cache__ is kept for the skill and handed to the next call",
    async () => {
      assert.equal(discoveries(), 1);
      const again = await run("my_accounts");
      assert.equal(
        discoveries(),
        1,
        "the second call used the cached endpoint",
      );
      assert.equal(again.records.ids.length, 2);
      const seen = await run("inspect");
      assert.deepEqual(seen.result.cache, {
        graphql: "https://api.social.test/gql/v2",
      });
      assert.deepEqual(seen.result.data, { accounts: 2 });
      const { items } = await client.call<
        { items: { id: string; values: Json }[] }
      >(
        "graph.list",
        { shape: "skill", where: { skillId: "profile-sync" } },
      );
      // Kept for the skill alone, not on its node in the shared graph.
      assert.equal(items.length, 1);
      assert.equal(items[0]!.values.cache, undefined);
      assert.equal(items[0]!.values.data, undefined);
      const { items: owners } = await client.call<{ items: unknown[] }>(
        "graph.list",
        {
          shape: "person",
          where: { isSelf: true },
        },
      );
      assert.equal(owners.length, 1, "still one owner node");
    },
  );

  await t.step(
    "the tool receives its connection as a dict with vars",
    async () => {
      const seen = await run("inspect", { connection: "export" });
      assert.deepEqual(seen.result.connection, {
        name: "export",
        id: "export",
        description: "A local export",
        vars: { export_file: "~/social/export.json" },
      });
      const api = await run("inspect");
      assert.equal(
        (api.result.connection as Json).base_url,
        "https://api.social.test",
      );
    },
  );
});
