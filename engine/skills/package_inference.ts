/**
 * The Python packages a skill needs when its readme declares none: the
 * distributions of its required imports (an import inside `try: … except
 * ImportError:` is optional and never inferred). Most distributions share
 * their import's name; those that do not are in
 * {@linkcode IMPORT_DISTRIBUTIONS} (docs/skills.md lists them).
 *
 * @module
 */
import type { Discovery } from "./skill_discovery.ts";

/** Import names whose distribution (what pip installs) is named otherwise. */
export const IMPORT_DISTRIBUTIONS: Readonly<Record<string, string>> = Object
  .freeze({
    yaml: "PyYAML",
    fpdf: "fpdf2",
    yt_dlp: "yt-dlp",
    price_parser: "price-parser",
    PIL: "Pillow",
    bs4: "beautifulsoup4",
    dateutil: "python-dateutil",
    dotenv: "python-dotenv",
    jwt: "PyJWT",
    Crypto: "pycryptodome",
    google: "google-api-python-client",
    sklearn: "scikit-learn",
    cv2: "opencv-python",
    docx: "python-docx",
    pptx: "python-pptx",
    magic: "python-magic",
  });

/** A module name discovery may report (a Python identifier). */
const MODULE = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * The distribution pip installs for an import name.
 *
 * @param module a top-level import name, e.g. `yaml`
 * @returns its distribution, e.g. `PyYAML`
 */
export function distributionOf(module: string): string {
  return IMPORT_DISTRIBUTIONS[module] ?? module;
}

/**
 * The distributions of a skill's required imports (those outside the
 * standard library, the SDK and its own files, not guarded by `except
 * ImportError`), in the order of their names.
 *
 * @param discovery the skill's discovery
 * @returns e.g. `["PyYAML", "requests-oauthlib"]`
 */
export function inferredRequirements(discovery: Discovery): string[] {
  const modules = (discovery.foreign_imports ?? [])
    .filter((i) => i.optional !== true && MODULE.test(i.module))
    .map((i) => distributionOf(i.module));
  return [...new Set(modules)];
}
