namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconSyntaxTests
{
    [Fact]
    public void Root_without_braces_is_an_object()
    {
        var values = TestHocon.Values("a = 1\nb = two");

        Assert.Equal("1", values["a"]);
        Assert.Equal("two", values["b"]);
    }

    [Fact]
    public void Root_with_braces_is_the_same_object()
    {
        var values = TestHocon.Values("{ a = 1, b = two }");

        Assert.Equal("1", values["a"]);
        Assert.Equal("two", values["b"]);
    }

    [Fact]
    public void Equals_colon_and_no_separator_before_a_brace_all_set_a_field()
    {
        var values = TestHocon.Values("""
            a = 1
            b : 2
            c { d = 3 }
            e = { f = 4 }
            g : { h = 5 }
            """);

        Assert.Equal("1", values["a"]);
        Assert.Equal("2", values["b"]);
        Assert.Equal("3", values["c:d"]);
        Assert.Equal("4", values["e:f"]);
        Assert.Equal("5", values["g:h"]);
    }

    [Fact]
    public void Commas_newlines_and_a_trailing_comma_separate_fields()
    {
        var values = TestHocon.Values("""
            o { a = 1, b = 2,
              c = 3
              d = 4, }
            """);

        Assert.Equal(new string?[] { "1", "2", "3", "4" }, new[] { values["o:a"], values["o:b"], values["o:c"], values["o:d"] });
    }

    [Fact]
    public void Arrays_of_values_flatten_to_indexed_keys()
    {
        var values = TestHocon.Values("""
            list = [1, "two", three,]
            lines = [
              a
              b
            ]
            empty = []
            """);

        Assert.Equal("1", values["list:0"]);
        Assert.Equal("two", values["list:1"]);
        Assert.Equal("three", values["list:2"]);
        Assert.False(values.ContainsKey("list:3"));
        Assert.Equal("a", values["lines:0"]);
        Assert.Equal("b", values["lines:1"]);
        Assert.DoesNotContain(values.Keys, key => key.StartsWith("empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Arrays_of_objects_flatten_to_indexed_sections()
    {
        var values = TestHocon.Values("""
            sampler.sampling.policies = [
              { name = errors, type = status-code }
              { name = slow
                type = latency }
            ]
            """);

        Assert.Equal("errors", values["sampler:sampling:policies:0:name"]);
        Assert.Equal("status-code", values["sampler:sampling:policies:0:type"]);
        Assert.Equal("slow", values["sampler:sampling:policies:1:name"]);
        Assert.Equal("latency", values["sampler:sampling:policies:1:type"]);
    }

    [Fact]
    public void Dotted_keys_create_nested_objects()
    {
        var values = TestHocon.Values("a.b.c = 1\na.b.d = 2\na { e = 3 }");

        Assert.Equal("1", values["a:b:c"]);
        Assert.Equal("2", values["a:b:d"]);
        Assert.Equal("3", values["a:e"]);
    }

    [Fact]
    public void Quoted_keys_keep_dots_and_spaces_and_kebab_case_keys_are_kept_as_written()
    {
        var values = TestHocon.Values("""
            "dotted.key" = 1
            a."b.c" = 2
            "with space" = 3
            max-batch-size = 4
            """);

        Assert.Equal("1", values["dotted.key"]);
        Assert.Equal("2", values["a:b.c"]);
        Assert.Equal("3", values["with space"]);
        Assert.Equal("4", values["max-batch-size"]);
        Assert.Contains("max-batch-size", values.Keys);
    }

    [Fact]
    public void Quoted_strings_decode_json_escapes()
    {
        var values = TestHocon.Values("""
            s = "tab\there \"quoted\" back\\slash \/ \u00e9 line\nbreak"
            """);

        Assert.Equal("tab\there \"quoted\" back\\slash / \u00e9 line\nbreak", values["s"]);
    }

    [Fact]
    public void Quoted_strings_keep_comment_markers_and_special_characters()
    {
        var values = TestHocon.Values("""
            url = "http://localhost:4317" # a comment
            pattern = "a#b//c{}[]=,"
            """);

        Assert.Equal("http://localhost:4317", values["url"]);
        Assert.Equal("a#b//c{}[]=,", values["pattern"]);
    }

    [Fact]
    public void Unquoted_strings_may_contain_slashes_dashes_and_dots()
    {
        var values = TestHocon.Values("protocol = http/protobuf\nversion = 1.2.3-beta\npath = /var/lib/sampler");

        Assert.Equal("http/protobuf", values["protocol"]);
        Assert.Equal("1.2.3-beta", values["version"]);
        Assert.Equal("/var/lib/sampler", values["path"]);
    }

    [Fact]
    public void Triple_quoted_strings_span_lines_without_escapes()
    {
        var values = TestHocon.Values("text = \"\"\"first \"line\"\n  second \\n line\"\"\"\nafter = 1");

        Assert.Equal("first \"line\"\n  second \\n line", values["text"]);
        Assert.Equal("1", values["after"]);
    }

    [Fact]
    public void Triple_quoted_string_keeps_extra_closing_quotes_as_content()
    {
        var values = TestHocon.Values("text = \"\"\"say \"hi\"\"\"\"\"");

        Assert.Equal("say \"hi\"\"", values["text"]);
    }

    [Fact]
    public void Simple_values_on_one_line_concatenate_keeping_inner_whitespace()
    {
        var values = TestHocon.Values("""
            a = foo bar
            b =   foo   "bar"  baz   
            c = 10 seconds
            d = "x"y"z"
            e = true story
            """);

        Assert.Equal("foo bar", values["a"]);
        Assert.Equal("foo   bar  baz", values["b"]);
        Assert.Equal("10 seconds", values["c"]);
        Assert.Equal("xyz", values["d"]);
        Assert.Equal("true story", values["e"]);
    }

    [Fact]
    public void Both_comment_styles_are_ignored()
    {
        var values = TestHocon.Values("""
            # a hash comment
            // a slash comment
            a = 1 # trailing
            b = 2 // trailing
            c = x//y
            """);

        Assert.Equal(["a", "b", "c"], values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("1", values["a"]);
        Assert.Equal("2", values["b"]);
        Assert.Equal("x", values["c"]);
    }

    [Fact]
    public void Null_is_a_null_value_but_quoted_null_is_a_string()
    {
        var values = TestHocon.Values("a = null\nb = \"null\"\nc = null pointer");

        Assert.True(values.ContainsKey("a"));
        Assert.Null(values["a"]);
        Assert.Equal("null", values["b"]);
        Assert.Equal("null pointer", values["c"]);
    }

    [Fact]
    public void Duplicate_objects_merge_and_other_values_are_replaced_by_the_last()
    {
        var values = TestHocon.Values("""
            o { a = 1, b = 2 }
            o { b = 3, c = 4 }
            s = first
            s = second
            list = [1, 2, 3]
            list = [4]
            """);

        Assert.Equal("1", values["o:a"]);
        Assert.Equal("3", values["o:b"]);
        Assert.Equal("4", values["o:c"]);
        Assert.Equal("second", values["s"]);
        Assert.Equal("4", values["list:0"]);
        Assert.False(values.ContainsKey("list:1"));
    }

    [Fact]
    public void A_value_in_between_stops_objects_from_merging()
    {
        var values = TestHocon.Values("o { a = 1 }\no = null\no { b = 2 }");

        Assert.False(values.ContainsKey("o:a"));
        Assert.Equal("2", values["o:b"]);
    }

    [Fact]
    public void Plus_equals_appends_to_an_array()
    {
        var values = TestHocon.Values("""
            list = [a]
            list += b
            o { items += { name = x } }
            o.items += { name = y }
            """);

        Assert.Equal("a", values["list:0"]);
        Assert.Equal("b", values["list:1"]);
        Assert.Equal("x", values["o:items:0:name"]);
        Assert.Equal("y", values["o:items:1:name"]);
    }

    [Fact]
    public void Arrays_and_objects_written_side_by_side_are_joined()
    {
        var values = TestHocon.Values("list = [1, 2] [3]\nobj = { a = 1 } { b = 2 }");

        Assert.Equal(new string?[] { "1", "2", "3" }, new[] { values["list:0"], values["list:1"], values["list:2"] });
        Assert.Equal("1", values["obj:a"]);
        Assert.Equal("2", values["obj:b"]);
    }

    [Fact]
    public void Include_that_is_not_the_start_of_a_key_is_ordinary_text()
    {
        var values = TestHocon.Values("a = include\nfoo include = 1\n\"include\" = 2");

        Assert.Equal("include", values["a"]);
        Assert.Equal("1", values["foo include"]);
        Assert.Equal("2", values["include"]);
    }

    [Fact]
    public void Empty_input_is_an_empty_configuration()
    {
        Assert.Empty(TestHocon.Values(""));
        Assert.Empty(TestHocon.Values("# only a comment\n"));
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_whitespace()
    {
        var values = TestHocon.Values("\uFEFFa = foo bar\r\nb {\r\n  c = 1\r\n}\r\n");

        Assert.Equal("foo bar", values["a"]);
        Assert.Equal("1", values["b:c"]);
    }

    [Fact]
    public void Repeated_plus_equals_appends_in_order()
    {
        var values = TestHocon.Values("list += a\nlist += b\nlist += c");

        Assert.Equal(new string?[] { "a", "b", "c" }, new[] { values["list:0"], values["list:1"], values["list:2"] });
    }

    [Fact]
    public void Position_of_a_value_is_where_the_value_was_written()
    {
        var document = TestHocon.Load("""
            sampler {
              exporter {
                timeout = 5s
              }
              list = [ a, { name = b } ]
            }
            """);

        Assert.Equal(new("test.conf", 3, 15), document.PositionOf("sampler:exporter:timeout"));
        Assert.Equal(new("test.conf", 3, 15), document.PositionOf("SAMPLER:Exporter:Timeout"));
        Assert.Equal(new("test.conf", 5, 12), document.PositionOf("sampler:list:0"));
        Assert.Equal(new("test.conf", 5, 24), document.PositionOf("sampler:list:1:name"));
        Assert.Equal(new("test.conf", 2, 12), document.PositionOf("sampler:exporter"));
        Assert.Null(document.PositionOf("sampler:missing"));
    }
}
