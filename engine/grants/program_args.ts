import { PROGRAM_RULES, type ProgramRule } from "./program_rules.ts";

/** Why an argument list is refused: the argument and the program's rule. */
export interface ArgumentRefusal {
  /** The program whose rule refused it. */
  program: string;
  /** The refused argument (or subcommand), at most 100 characters. */
  argument: string;
  /** The rule's reason. */
  why: string;
}

/**
 * Checks a program's arguments against {@linkcode PROGRAM_RULES}: the
 * rules of every name it answers to (the granted name and the name of the
 * file it resolved to) apply. Fail-closed: an argument it cannot place
 * (an unknown global option's value) is taken for a subcommand, and an
 * unknown subcommand is refused.
 *
 * @param names the program's names, e.g. `["git"]` or `["mygit", "git"]`
 * @param args its argv after the program
 * @returns the first refusal, or undefined when the arguments pass
 */
export function refusedArgument(
  names: readonly string[],
  args: readonly string[],
): ArgumentRefusal | undefined {
  for (const program of new Set(names)) {
    const rule = PROGRAM_RULES[program];
    if (!rule) continue;
    const argument = ruleRefusal(rule, args);
    if (argument !== undefined) {
      return { program, argument: argument.slice(0, 100), why: rule.why };
    }
  }
  return undefined;
}

/** The argument one rule refuses, if any. */
function ruleRefusal(
  rule: ProgramRule,
  args: readonly string[],
): string | undefined {
  if (rule.never) return "(any use)";
  const anywhere = args.find((arg) =>
    matchesOption(arg, rule.refusedOptions?.["*"] ?? [])
  );
  if (anywhere !== undefined) return anywhere;
  const { index, refusedGlobal } = subcommandIndex(rule, args);
  if (refusedGlobal !== undefined) return refusedGlobal;
  const subcommand = args[index];
  if (subcommand === undefined) return undefined;
  if (rule.subcommands && !rule.subcommands.includes(subcommand)) {
    return subcommand;
  }
  if (rule.refusedSubcommands?.includes(subcommand)) return subcommand;
  const rest = args.slice(index + 1);
  const action = rest.find((arg) => !arg.startsWith("-"));
  if (action && rule.refusedActions?.[subcommand]?.includes(action)) {
    return `${subcommand} ${action}`;
  }
  // The read form must come first: anywhere else it can be a value
  // (`git config --file F core.fsmonitor list` writes "list").
  const needed = rule.onlyWith?.[subcommand];
  if (needed && !needed.includes(rest[0] ?? "")) return subcommand;
  const refused = rule.refusedOptions?.[subcommand] ?? [];
  return rest.find((arg) => matchesOption(arg, refused));
}

/**
 * Where the subcommand is: past the global options (and the values of
 * those that take one), or the first global option the rule refuses.
 */
function subcommandIndex(
  rule: ProgramRule,
  args: readonly string[],
): { index: number; refusedGlobal?: string } {
  let index = 0;
  while (index < args.length && args[index]!.startsWith("-")) {
    const arg = args[index]!;
    if (matchesOption(arg, rule.refusedGlobals ?? [])) {
      return { index, refusedGlobal: arg };
    }
    index += rule.globalsWithValue?.includes(arg) ? 2 : 1;
  }
  return { index };
}

/**
 * Whether an argument is one of the options: any exactly (a single-dash
 * word such as find's `-exec` too), a long one with `=value`, or
 * abbreviated (git and gh accept any unambiguous prefix); a short one
 * alone, with its value glued on, or inside a bundle of short options
 * (`-qu/bin/sh`).
 */
function matchesOption(arg: string, options: readonly string[]): boolean {
  // Exactly, first: also a single-dash word (find's `-exec`).
  if (options.includes(arg)) return true;
  if (arg === "--" || !arg.startsWith("-")) return false;
  if (arg.startsWith("--")) {
    const name = arg.split("=")[0]!;
    return options.some((option) =>
      option.startsWith("--") && name.length > 2 && option.startsWith(name)
    );
  }
  const letters = arg.slice(1);
  return options.some((option) =>
    option.length === 2 && !option.startsWith("--") &&
    letters.includes(option[1]!)
  );
}
