/**
 * What a skill's Python source needs that discovery does not report: its
 * imports outside the standard library and the SDK, the programs it runs,
 * local application databases, macOS-only APIs and browser sessions. A
 * static scan for the catalog check, not a parser: it reads literals and
 * names, so it errs towards reporting.
 *
 * @module
 */

/** What one skill's source needs beyond a plain sandboxed call. */
export interface SourceGaps {
  /** Top-level modules imported that are neither stdlib, the SDK, nor the skill's own. */
  packages: string[];
  /** Programs named as the first argument of `shell.run`. */
  shell: string[];
  /** Reasons the skill needs macOS (frameworks, `~/Library`, `osascript`). */
  macos: string[];
  /** Database paths outside the engine home (`sqlite=` / `db=` literals). */
  localDatabases: string[];
  /** Whether it signs in through a browser's cookies. */
  browserSession: boolean;
}

const MACOS_FRAMEWORKS = new Set([
  "AppKit",
  "CoreGraphics",
  "Foundation",
  "Quartz",
  "objc",
  "ScriptingBridge",
]);

let stdlib: Set<string> | undefined;

/**
 * Scans every `.py` file of a skill directory.
 *
 * @param dir the skill directory
 * @returns what it needs
 */
export async function scanSkillSource(dir: string): Promise<SourceGaps> {
  stdlib ??= await stdlibModules();
  const files = await pythonFiles(dir);
  const own = new Set(
    files.map((f) =>
      f.slice(dir.length + 1).split("/")[0]!.replace(/\.py$/, "")
    ),
  );
  const packages = new Set<string>();
  const shell = new Set<string>();
  const macos = new Set<string>();
  const databases = new Set<string>();
  let browserSession = false;
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    const imports = text.matchAll(
      /^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import[ \t]|import[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]*(?:$|,|as[ \t]|#))/gm,
    );
    for (const match of imports) {
      const name = (match[1] ?? match[2])!;
      if (MACOS_FRAMEWORKS.has(name)) macos.add(name);
      else if (
        name !== "agentos" && name !== "__future__" && !stdlib.has(name) &&
        !own.has(name)
      ) packages.add(name);
    }
    for (const match of text.matchAll(/shell\.run\(\s*["']([^"']+)["']/g)) {
      shell.add(match[1]!);
    }
    if (/shell\.run\(\s*[^"'\s]/.test(text)) {
      shell.add("a computed program");
    }
    if (/~\/Library\/|\/Users\/|osascript|\.app\/Contents/.test(text)) {
      macos.add(text.includes("osascript") ? "osascript" : "~/Library");
    }
    for (
      const match of text.matchAll(
        /\b(?:\w*_)?(?:sqlite|db|db_path)\s*=\s*(?:os\.path\.expanduser\(\s*)?["']([~/][^"']+)["']/gi,
      )
    ) {
      if (!match[1]!.includes("/.agentos/")) databases.add(match[1]!);
    }
    if (
      /cookie_auth|browser_session|client\s*=\s*["']browser["']|\.cookie\(|["']cookies["']\s*:/
        .test(text)
    ) browserSession = true;
  }
  return {
    packages: [...packages].sort(),
    shell: [...shell].sort(),
    macos: [...macos].sort(),
    localDatabases: [...databases].sort(),
    browserSession,
  };
}

async function pythonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      out.push(...await pythonFiles(path));
    } else if (entry.isFile && entry.name.endsWith(".py")) out.push(path);
  }
  return out;
}

async function stdlibModules(): Promise<Set<string>> {
  const python = Deno.env.get("AGENTOS_PYTHON") ?? "python3";
  const { stdout } = await new Deno.Command(python, {
    args: ["-I", "-c", "import sys; print(' '.join(sys.stdlib_module_names))"],
    stdout: "piped",
  }).output();
  return new Set(new TextDecoder().decode(stdout).trim().split(" "));
}
