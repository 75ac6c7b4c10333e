using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconErrorTests
{
    private static HoconError Single(string text)
    {
        var errors = TestHocon.Errors(text);
        return Assert.Single(errors);
    }

    private static void AssertAt(HoconError error, int line, int column, string messagePart)
    {
        Assert.Equal(("test.conf", line, column), (error.File, error.Line, error.Column));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unterminated_string_is_reported_at_its_opening_quote()
    {
        AssertAt(Single("a = 1\nb = \"abc\nc = 2"), 2, 5, "unterminated string");
    }

    [Fact]
    public void Unterminated_string_at_the_end_of_the_file_is_reported_at_its_opening_quote()
    {
        AssertAt(Single("a = 1\n  b = \"abc"), 2, 7, "the file ends");
    }

    [Fact]
    public void Unterminated_triple_quoted_string_is_reported_at_its_opening_quotes()
    {
        AssertAt(Single("a = \"\"\"abc\n\ndef"), 1, 5, "unterminated multi-line string");
    }

    [Fact]
    public void Missing_closing_brace_is_reported_at_the_unclosed_brace()
    {
        AssertAt(Single("sampler {\n  a = 1\n  exporter {\n    b = 2\n}\n"), 1, 9, "'{' is never closed");
    }

    [Fact]
    public void Missing_closing_bracket_is_reported_at_the_unclosed_bracket()
    {
        AssertAt(Single("o {\n  list = [1, 2\n}"), 2, 10, "'[' is never closed");
    }

    [Fact]
    public void Closing_brace_without_an_opening_one_is_reported_where_it_is()
    {
        AssertAt(Single("a = 1\n}\nb = 2"), 2, 1, "no matching opening bracket");
    }

    [Fact]
    public void Reserved_character_is_reported_where_it_is()
    {
        AssertAt(Single("a = 1\nb = foo*bar"), 2, 8, "'*' is not allowed");
    }

    [Fact]
    public void Unquoted_url_is_reported_at_its_colon()
    {
        AssertAt(Single("endpoint = http://localhost:4317"), 1, 16, "unexpected ':' in a value");
    }

    [Fact]
    public void Key_without_a_value_is_reported_after_the_key()
    {
        AssertAt(Single("a\nb = 1"), 1, 2, "expected ':', '=' or '{' after the key 'a'");
    }

    [Fact]
    public void Separator_without_a_value_is_reported_at_the_end_of_its_line()
    {
        AssertAt(Single("a =\nb = 1"), 1, 4, "expected a value but found the end of the line");
    }

    [Fact]
    public void Object_may_start_on_the_line_after_its_separator()
    {
        var values = TestHocon.Values("a =\n{\n  b = 1\n}\nlist =\n  [ 1 ]");

        Assert.Equal("1", values["a:b"]);
        Assert.Equal("1", values["list:0"]);
    }

    [Fact]
    public void Invalid_escape_is_reported_at_the_backslash()
    {
        AssertAt(Single("a = \"ok \\q\""), 1, 9, "invalid escape '\\q'");
    }

    [Fact]
    public void Double_comma_is_reported_at_the_second_comma()
    {
        AssertAt(Single("a = [1,,2]"), 1, 8, "unexpected ','");
    }

    [Fact]
    public void Empty_path_element_in_a_key_is_reported()
    {
        AssertAt(Single("ok = 1\na..b = 1"), 2, 1, "invalid key");
    }

    [Fact]
    public void Substitution_in_a_key_is_reported()
    {
        AssertAt(Single("${a} = 1"), 1, 1, "a key cannot contain a substitution");
    }

    [Fact]
    public void Array_at_the_root_is_reported()
    {
        AssertAt(Single("[1, 2]"), 1, 1, "must be an object");
    }

    [Fact]
    public void Text_after_the_closing_root_brace_is_reported()
    {
        AssertAt(Single("{ a = 1 }\nb = 2"), 2, 1, "after the '}' that closes the root object");
    }

    [Fact]
    public void Unterminated_substitution_is_reported_at_the_dollar()
    {
        AssertAt(Single("a = 1\nb = x ${a.b\n"), 2, 7, "unterminated substitution");
    }

    [Fact]
    public void Unresolved_substitution_is_reported_where_it_is_written()
    {
        AssertAt(Single("a = 1\nb {\n  c = ${missing.path}\n}"), 3, 7, "cannot resolve substitution ${missing.path}");
    }

    [Fact]
    public void Substitution_cycle_is_reported_where_the_cycle_closes()
    {
        var error = Single("a = ${b}\nb = ${a}");

        AssertAt(error, 2, 5, "cycle");
        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Substitution_of_its_own_enclosing_object_is_a_cycle()
    {
        AssertAt(Single("a { b = ${a} }"), 1, 9, "cycle");
    }

    [Fact]
    public void Self_reference_with_nothing_before_it_is_unresolved_not_a_hang()
    {
        AssertAt(Single("a = ${a}"), 1, 5, "cannot resolve substitution ${a}");
    }

    [Fact]
    public void Joining_an_object_with_text_is_reported()
    {
        AssertAt(Single("o { x = 1 }\ns = ${o} text"), 2, 5, "cannot join an object");
    }

    [Fact]
    public void Several_errors_are_collected_in_reading_order()
    {
        var errors = TestHocon.Errors("a = \"open\nb = [1,,2]\nc = x*y\nd = ok");

        Assert.Equal(
            [(1, 5), (2, 8), (3, 6)],
            errors.Select(error => (error.Line, error.Column)));
    }

    [Fact]
    public void Several_unresolved_substitutions_are_collected()
    {
        var errors = TestHocon.Errors("a = ${x}\nb = ${y}");

        Assert.Equal([(1, 5), (2, 5)], errors.Select(error => (error.Line, error.Column)));
    }

    [Fact]
    public void Error_formats_as_file_line_column_message()
    {
        var error = new HoconError("conf/app.conf", 3, 14, "something is wrong");

        Assert.Equal("conf/app.conf:3:14: something is wrong", error.ToString());
    }

    [Fact]
    public void Exception_message_lists_every_error()
    {
        var exception = Assert.Throws<HoconException>(() => TestHocon.Load("a = ${x}\nb = ${y}"));

        Assert.Contains("test.conf:1:5: cannot resolve substitution ${x}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("test.conf:2:5: cannot resolve substitution ${y}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_layer_they_are_in()
    {
        var exception = Assert.Throws<HoconException>(() => HoconDocument.Load(
            [new HoconSource("a = 1", "default.conf"), new HoconSource("\n\nb = \"x", "user.conf")], _ => null));

        var error = Assert.Single(exception.Errors);
        Assert.Equal("user.conf:3:5", error.Position.ToString());
    }
}
