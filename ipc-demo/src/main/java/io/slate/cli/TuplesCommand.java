package io.slate.cli;

import io.slate.tuple.TupleWords;
import io.slate.space.Space;
import io.slate.tuple.Template;
import io.slate.tuple.Tuple;
import io.slate.tuple.TupleSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code slate tuples --name T [TEMPLATE...]}: lists or counts the tuples of a tuple space. */
@Command(name = "tuples", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Lists the tuples of the tuple space NAME, oldest first, one JSON array per line: those matching TEMPLATE, or all of "
                + "them when no TEMPLATE is given. Tuples taken and not yet acknowledged, and expired ones, are not listed.",
            "With --count prints only how many there are; with --ids each line starts with the tuple's id (its journal index).",
            "TEMPLATE fields are as for 'slate rd'.",
        })
final class TuplesCommand extends TupleCommand {
    @Parameters(arity = "0..*", paramLabel = "TEMPLATE", description = "The template's fields, in order (none: every tuple).")
    private List<String> template;

    @Option(names = "--count", description = "Print only the number of tuples.")
    private boolean count;

    @Option(names = "--ids", description = "Start each line with the tuple's id and a space.")
    private boolean ids;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "List at most N tuples.")
    private Integer limit;

    /** One listed tuple. */
    private record Listed(long id, String json) {
    }

    @Override
    int execute() {
        if (limit != null && limit < 0) {
            throw CliFailure.usage("--limit must be >= 0, got " + limit);
        }
        final int max = limit == null ? Integer.MAX_VALUE : limit;
        final Template t = template == null || template.isEmpty() ? null : TupleWords.template(template);
        try (Space s = observe(); TupleSpace ts = tupleSpace(s)) {
            final PrintStream out = out();
            if (count) {
                long n = 0;
                if (t != null) {
                    n = ts.count(t);
                } else {
                    for (int arity = 1; arity <= Tuple.MAX_FIELDS; arity++) {
                        n += ts.count(Template.anyOfArity(arity));
                    }
                }
                out.println(n);
                return SlateCli.EXIT_OK;
            }
            final List<Listed> listed = new ArrayList<>();
            if (t != null) {
                ts.rdAll(t, max, b -> listed.add(new Listed(b.id(), b.toString())));
            } else {
                for (int arity = 1; arity <= Tuple.MAX_FIELDS; arity++) {
                    ts.rdAll(Template.anyOfArity(arity), max, b -> listed.add(new Listed(b.id(), b.toString())));
                }
                listed.sort(Comparator.comparingLong(Listed::id));
            }
            for (int i = 0; i < listed.size() && i < max; i++) {
                final Listed l = listed.get(i);
                out.println(ids ? l.id() + " " + l.json() : l.json());
            }
        }
        return SlateCli.EXIT_OK;
    }
}
