package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * A parser that hands every number written with a point or an exponent to the tree as its exact {@link BigDecimal}
 * (the mapper reads them so), and refuses, as a limit of the reader, one whose exponent no {@link BigDecimal} can
 * hold ({@code 1e9999999999}): Jackson reports that as a bare {@link NumberFormatException}, which would otherwise
 * escape the intake as an internal error.
 */
final class ExactNumbers extends JsonParserDelegate {

    ExactNumbers(JsonParser parser) {
        super(parser);
    }

    @Override
    public BigDecimal getDecimalValue() throws IOException {
        try {
            return super.getDecimalValue();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new StreamConstraintsException(
                    "Number value " + getText() + " has an exponent beyond what is read", currentLocation());
        }
    }
}
