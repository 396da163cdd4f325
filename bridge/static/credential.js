// The credential page of a one-time link: reads the token from the URL's
// fragment (never sent in a request line), asks the bridge what the link
// wants, and sends the typed values once. Text from the engine is set with
// textContent only.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, "", location.pathname);
const status = document.getElementById("status");
const form = document.getElementById("form");

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    referrerPolicy: "no-referrer",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(
      data.error?.message ?? data.message ?? `HTTP ${response.status}`,
    );
  }
  return data;
}

function field(name) {
  const label = document.createElement("label");
  label.textContent = name;
  const input = document.createElement("input");
  input.type = "password";
  input.name = name;
  input.required = true;
  input.autocomplete = "off";
  input.spellcheck = false;
  label.append(input);
  return label;
}

async function start() {
  if (!token) {
    throw new Error("This page needs the link the AI client showed you");
  }
  const link = await post("/credential/describe", { token });
  document.getElementById("skill").textContent = link.skill;
  // A skill's own key (no domain) is stored for that skill alone.
  const where = link.forSkill
    ? `its own use (skill ${link.skill})`
    : link.domain;
  document.getElementById("domain").textContent = where;
  // A stored key its own domain refused: what is typed replaces that row.
  if (link.replaces) {
    const note = document.getElementById("replaces");
    note.textContent = `${link.domain} refused the stored credential${
      link.replaces.identifier ? ` (${link.replaces.identifier})` : ""
    } with HTTP ${link.replaces.status}: it may have expired or been revoked. What you type replaces it.`;
    note.hidden = false;
  }
  document.getElementById("fields").replaceChildren(...link.fields.map(field));
  form.hidden = false;
  status.textContent = `This link works once, until ${link.expiresAt}.`;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(
      link.fields.map((name) => [name, form.elements[name].value]),
    );
    document.getElementById("save").disabled = true;
    try {
      await post("/credential/submit", { token, values });
      form.replaceChildren();
      form.hidden = true;
      status.id = "stored";
      status.textContent =
        `Stored for ${where}. You can close this tab and go back to your AI client.`;
    } catch (error) {
      document.getElementById("save").disabled = false;
      status.textContent = error.message;
    }
  });
}

start().catch((error) => {
  status.textContent = error.message;
  status.className = "error";
});
