using OtelTailSampler.Configuration.Hocon;

namespace OtelTailSampler.Tests.Configuration.Hocon;

public sealed class HoconIncludeTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private HoconDocument LoadMain(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        HoconDocument.Load([HoconSource.FromFile(_directory.Write("conf/main.conf", text))], TestHocon.Environment(environment));

    private IReadOnlyList<HoconError> MainErrors(string text) =>
        Assert.Throws<HoconException>(() => LoadMain(text)).Errors;

    [Fact]
    public void Include_is_found_relative_to_the_including_file_not_the_working_directory()
    {
        _directory.Write("conf/sub/extra.conf", "b = 2");

        var document = LoadMain("a = 1\ninclude \"sub/extra.conf\"");

        Assert.Equal("1", document.Values["a"]);
        Assert.Equal("2", document.Values["b"]);
    }

    [Fact]
    public void Nested_include_is_found_relative_to_the_file_that_includes_it()
    {
        _directory.Write("conf/sub/extra.conf", "include \"deeper/more.conf\"");
        _directory.Write("conf/sub/deeper/more.conf", "c = 3");

        var document = LoadMain("include \"sub/extra.conf\"");

        Assert.Equal("3", document.Values["c"]);
    }

    [Fact]
    public void File_and_required_forms_include_the_file()
    {
        _directory.Write("conf/one.conf", "one = 1");
        _directory.Write("conf/two.conf", "two = 2");
        _directory.Write("conf/three.conf", "three = 3");

        var document = LoadMain("""
            include file("one.conf")
            include required("two.conf")
            include required( file( "three.conf" ) )
            """);

        Assert.Equal("1", document.Values["one"]);
        Assert.Equal("2", document.Values["two"]);
        Assert.Equal("3", document.Values["three"]);
    }

    [Fact]
    public void Missing_plain_include_is_silently_ignored()
    {
        var document = LoadMain("include \"missing.conf\"\ninclude file(\"missing.conf\")\na = 1");

        Assert.Equal("1", document.Values["a"]);
    }

    [Fact]
    public void Missing_required_include_is_an_error_at_the_include()
    {
        var errors = MainErrors("a = 1\n  include required(\"missing.conf\")");

        var error = Assert.Single(errors);
        Assert.EndsWith("main.conf", error.File, StringComparison.Ordinal);
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Contains("required include \"missing.conf\" was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_inside_an_object_nests_the_included_fields()
    {
        _directory.Write("conf/exporter.conf", "timeout = 5s\nheaders { a = 1 }");

        var document = LoadMain("sampler { exporter { include \"exporter.conf\" } }");

        Assert.Equal("5s", document.Values["sampler:exporter:timeout"]);
        Assert.Equal("1", document.Values["sampler:exporter:headers:a"]);
    }

    [Fact]
    public void Fields_merge_with_an_include_in_the_order_written()
    {
        _directory.Write("conf/included.conf", "a = included\nb = included\no { y = 2 }");

        var document = LoadMain("""
            a = before
            o { x = 1 }
            include "included.conf"
            b = after
            """);

        Assert.Equal("included", document.Values["a"]);
        Assert.Equal("after", document.Values["b"]);
        Assert.Equal("1", document.Values["o:x"]);
        Assert.Equal("2", document.Values["o:y"]);
    }

    [Fact]
    public void Substitutions_in_an_included_file_are_relative_to_where_it_is_included()
    {
        _directory.Write("conf/foo.conf", "x = 10\ny = ${x}");

        var document = LoadMain("""
            a { include "foo.conf" }
            a { x = 42 }
            """);

        Assert.Equal("42", document.Values["a:y"]);
    }

    [Fact]
    public void Substitution_in_an_included_file_falls_back_to_the_root_and_the_environment()
    {
        _directory.Write("conf/exporter.conf", "port = ${defaults.port}\nendpoint = ${?OTLP_ENDPOINT}");

        var document = LoadMain("defaults.port = 4317\nexporter { include \"exporter.conf\" }",
            new Dictionary<string, string> { ["OTLP_ENDPOINT"] = "http://env:4317" });

        Assert.Equal("4317", document.Values["exporter:port"]);
        Assert.Equal("http://env:4317", document.Values["exporter:endpoint"]);
    }

    [Fact]
    public void Errors_in_an_included_file_name_that_file_and_its_position()
    {
        _directory.Write("conf/broken.conf", "ok = 1\nbad = \"unterminated");

        var error = Assert.Single(MainErrors("include \"broken.conf\""));

        Assert.Equal(Path.Combine(_directory.Path, "conf", "broken.conf"), error.File);
        Assert.Equal((2, 7), (error.Line, error.Column));
        Assert.Contains("unterminated string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Position_of_an_included_value_is_in_the_included_file()
    {
        _directory.Write("conf/extra.conf", "\n  b = 2");

        var document = LoadMain("include \"extra.conf\"");

        Assert.Equal(new(Path.Combine(_directory.Path, "conf", "extra.conf"), 2, 7), document.PositionOf("b"));
    }

    [Fact]
    public void Include_cycle_is_an_error_at_the_include_that_closes_it()
    {
        _directory.Write("conf/a.conf", "a = 1\ninclude \"b.conf\"");
        _directory.Write("conf/b.conf", "b = 1\n\ninclude \"a.conf\"");

        var error = Assert.Single(Assert.Throws<HoconException>(() =>
            HoconDocument.Load([HoconSource.FromFile(Path.Combine(_directory.Path, "conf", "a.conf"))], _ => null)).Errors);

        Assert.Equal(Path.Combine(_directory.Path, "conf", "b.conf"), error.File);
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("include cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Included_file_with_an_array_root_is_an_error()
    {
        _directory.Write("conf/array.conf", "[1, 2]");

        var error = Assert.Single(MainErrors("include \"array.conf\""));

        Assert.Contains("must be an object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classpath_include_is_reported_as_unsupported()
    {
        var error = Assert.Single(MainErrors("\ninclude classpath(\"x.conf\")"));

        Assert.Equal((2, 9), (error.Line, error.Column));
        Assert.Contains("only files can be included", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_name_must_be_quoted()
    {
        var error = Assert.Single(MainErrors("include required(x.conf)"));

        Assert.Equal((1, 9), (error.Line, error.Column));
    }
}
