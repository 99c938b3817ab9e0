using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Experiments.Cli;
using LayerDsl.Experiments.Data;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

public sealed class CliTests
{
    private static string OneLine(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    [Fact]
    public void Help_documents_every_compare_option()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(0, cli.Run("compare", "--help"));
        foreach (string option in new[] { "--models", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--seeds", "--train-limit", "--test-limit", "--threads", "--data", "--out", "--resume", "--device", "--train-transform", "--test-transform", "--scale-range", "--rotate-degrees", "--translate-pixels", "--elastic-alpha", "--elastic-sigma", "--augment", "--crop-padding", "--erase-probability", "--report", "--export" })
        {
            Assert.Contains(option, cli.Output);
        }
    }

    [Fact]
    public void Missing_data_exits_non_zero_naming_the_three_remedies()
    {
        using var cli = new CliHarness(withData: false);
        int exit = cli.Run("compare", "--models", "SmallCnn", "--out", cli.OutDirectory);
        Assert.Equal(1, exit);
        Assert.Contains("Fashion-MNIST was not found", cli.Output);
        Assert.Contains("apt-get install dataset-fashion-mnist", cli.Output);
        Assert.Contains("--data DIR or FASHION_MNIST_DIR=DIR", cli.Output);
        Assert.Contains("network unreachable (test)", cli.Output);
        Assert.Contains($"download into {cli.CacheDirectory}", OneLine(cli.Output));
    }

    /// <summary>
    /// Every option error is one line, exit code 2, and comes before anything else happens: the data is there, so a
    /// missing-data error cannot stand in for the option error, and no output folder is created.
    /// </summary>
    [Theory]
    [InlineData("--epochs 0", "error: --epochs 0: must be at least 1 (see compare --help)")]
    [InlineData("--epochs abc", "error: --epochs abc: not a whole number; give a whole number of at least 1 (see compare --help)")]
    [InlineData("--epochs 1.5", "error: --epochs 1.5: not a whole number; give a whole number of at least 1 (see compare --help)")]
    [InlineData("--lr abc", "error: --lr abc: not a number; give a positive number such as 0.001 or 1e-3 (see compare --help)")]
    [InlineData("--lr 0", "error: --lr 0: must be positive, such as 0.001 or 1e-3 (see compare --help)")]
    [InlineData("--lr -0.1", "error: --lr -0.1: must be positive, such as 0.001 or 1e-3 (see compare --help)")]
    [InlineData("--lr NaN", "error: --lr NaN: not a number; give a positive number such as 0.001 or 1e-3 (see compare --help)")]
    [InlineData("--optimizer adagrad", "error: --optimizer adagrad: use rmsprop, adam or sgd (see compare --help)")]
    [InlineData("--models NoSuchNet", "error: unknown model 'NoSuchNet'; the models are: SmallCnn, WideCnn")]
    [InlineData("--batch-size many", "error: --batch-size many: not a whole number; give a whole number of at least 1 (see compare --help)")]
    [InlineData("--seeds 0", "error: --seeds 0: must be at least 1 (see compare --help)")]
    [InlineData("--seed -1", "error: --seed -1: must be at least 0 (see compare --help)")]
    [InlineData("--train-limit abc", "error: --train-limit abc: not a whole number; give a whole number of at least 1 (see compare --help)")]
    [InlineData("--test-limit 0", "error: --test-limit 0: must be at least 1 (see compare --help)")]
    [InlineData("--threads 0", "error: --threads 0: must be at least 1 (see compare --help)")]
    [InlineData("--device tpu", "error: --device tpu: use cpu or cuda (see compare --help)")]
    [InlineData("--resume maybe", "error: Unrecognized command or argument 'maybe'. (see compare --help)")]
    [InlineData("--test-transform rotate,shear", "error: --test-transform rotate,shear: unknown transform 'shear'; use scale, rotate, translate, elastic (comma-separated) or none (see compare --help)")]
    [InlineData("--train-transform zoom", "error: --train-transform zoom: unknown transform 'zoom'; use scale, rotate, translate, elastic (comma-separated) or none (see compare --help)")]
    [InlineData("--scale-range 1,0.5", "error: --scale-range 1,0.5: needs 0 < MIN <= MAX, such as 0.5,1.0 (see compare --help)")]
    [InlineData("--scale-range 0.5", "error: --scale-range 0.5: give two numbers MIN,MAX such as 0.5,1.0 (see compare --help)")]
    [InlineData("--rotate-degrees 200", "error: --rotate-degrees 200: must be from 0 to 180, such as 45 (see compare --help)")]
    [InlineData("--translate-pixels -1", "error: --translate-pixels -1: must be at least 0, such as 6 (see compare --help)")]
    [InlineData("--elastic-alpha many", "error: --elastic-alpha many: not a number; give a number at least 0, such as 34 (see compare --help)")]
    [InlineData("--elastic-sigma 0", "error: --elastic-sigma 0: must be above 0, such as 4 (see compare --help)")]
    [InlineData("--augment blur", "error: --augment blur: use crop, flip, erase (comma-separated) or none (see compare --help)")]
    [InlineData("--crop-padding 0", "error: --crop-padding 0: must be at least 1 (see compare --help)")]
    [InlineData("--erase-probability 2", "error: --erase-probability 2: must be above 0 and at most 1, such as 0.5 (see compare --help)")]
    public void Option_errors_are_one_line_exit_2_and_come_before_any_work(string option, string message)
    {
        using var cli = new CliHarness();
        string[] args = new[] { "compare", "--data", cli.DataDirectory, "--out", cli.OutDirectory }.Concat(option.Split(' ')).ToArray();

        int exit = cli.Run(args);

        Assert.Equal(2, exit);
        Assert.Equal(message, cli.Output.TrimEnd('\n', '\r'));
        Assert.False(Directory.Exists(cli.OutDirectory), "an option error must stop the command before it writes anything");
    }

    [Fact]
    public void Evaluate_option_errors_are_one_line_exit_2_too()
    {
        using var cli = new CliHarness();
        Assert.Equal(2, cli.Run("evaluate", "--checkpoint", "x.ckpt", "--test-limit", "many"));
        Assert.Equal("error: --test-limit many: not a whole number; give a whole number of at least 1 (see evaluate --help)", cli.Output.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void A_data_folder_that_lacks_the_files_fails_naming_them_even_when_the_system_copy_exists()
    {
        using var cli = new CliHarness();
        IdxFiles.WriteDataset(Path.Combine(Path.GetDirectoryName(cli.DataDirectory)!, "system"));
        File.Delete(Path.Combine(cli.DataDirectory, FashionMnistFiles.TestLabels));

        Assert.Equal(1, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        Assert.Contains($"error: --data {cli.DataDirectory}: the folder lacks {FashionMnistFiles.TestLabels}", cli.Output);
        Assert.DoesNotContain("looking further", cli.Output);
        Assert.DoesNotContain("Training", cli.Output);

        Assert.Equal(1, cli.Run("compare", "--models", "SmallCnn", "--data", "/nonexistent/fashion", "--out", cli.OutDirectory));
        Assert.Contains("error: --data /nonexistent/fashion: no such folder", cli.Output);
    }

    [Fact]
    public void Resume_on_a_folder_without_checkpoints_is_refused()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(2, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--resume"));
        Assert.Contains($"error: --resume: {cli.OutDirectory} holds no checkpoint of SmallCnn", cli.Output);
        Assert.Contains("Leave out --resume to start afresh", cli.Output);
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "results.json")));
    }

    [Theory]
    [InlineData("--lr", "0.01", "--lr 0.001", "--lr 0.01")]
    [InlineData("--optimizer", "adam", "--optimizer rmsprop", "--optimizer adam")]
    [InlineData("--batch-size", "32", "--batch-size 128", "--batch-size 32")]
    public void Resume_with_another_setting_is_refused_naming_both_values(string option, string value, string saved, string requested)
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");

        int exit = cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--resume", "--epochs", "2", option, value);

        Assert.Equal(2, exit);
        Assert.Contains($"error: --resume: {checkpoint} was trained with {saved}, this run asks for {requested}; resume with {saved}", cli.Output);
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch2.ckpt")));
    }

    [Fact]
    public void Resume_with_another_training_set_size_is_refused()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--train-limit", "48"));

        Assert.Equal(2, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--resume", "--epochs", "2"));
        Assert.Contains("was trained on 48 training images, this run has 64", cli.Output);
    }

    [Fact]
    public void Interrupted_run_prints_the_exact_command_that_resumes_it_and_that_command_does()
    {
        using var cli = new CliHarness(train: 64, test: 32)
        {
            // Ctrl-C as epoch 2 starts: epoch 1 is checkpointed, epoch 2 is lost.
            OnProgress = (_, p, interrupt) =>
            {
                if (p.Epoch == 2)
                {
                    interrupt.Cancel();
                }
            },
        };
        string[] args = { "compare", "--models", "SmallCnn", "--epochs", "3", "--batch-size", "16", "--data", cli.DataDirectory, "--out", cli.OutDirectory };

        Assert.Equal(130, cli.Run(args));

        Assert.Contains("Interrupted in SmallCnn epoch 2/3 (batch 1/4); that epoch is lost", cli.Output);
        string[] lines = cli.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string resume = lines[Array.FindIndex(lines, l => l.EndsWith("To resume:", StringComparison.Ordinal)) + 1];
        Assert.Equal($"  {CliHarness.Program} compare --models SmallCnn --epochs 3 --batch-size 16 --data {cli.DataDirectory} --out {cli.OutDirectory} --resume", resume);
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "results.json")));

        using var again = new CliHarness(withData: false);
        string[] resumeArgs = resume.Trim().Split(' ').Skip(1).ToArray();
        Assert.Equal(0, again.Run(resumeArgs));
        Assert.Contains("SmallCnn: resumed from epoch 1", again.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json")));
        var model = json.RootElement.GetProperty("models")[0];
        Assert.Equal(new[] { 1, 2, 3 }, model.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("epoch").GetInt32()));
        Assert.Equal(1, model.GetProperty("runs")[0].GetProperty("resumed_from_epoch").GetInt32());
    }

    [Fact]
    public void Interrupted_first_epoch_offers_a_fresh_start_without_resume()
    {
        using var cli = new CliHarness(train: 64, test: 32) { OnProgress = (_, _, interrupt) => interrupt.Cancel() };

        Assert.Equal(130, cli.Run("compare", "--models", "SmallCnn", "--batch-size", "16", "--data", cli.DataDirectory, "--out", cli.OutDirectory));

        Assert.Contains("Interrupted in SmallCnn epoch 1/1 (batch 1/4); no epoch had finished, so there is nothing to resume. To start again:", cli.Output);
        Assert.Contains($"  {CliHarness.Program} compare --models SmallCnn --batch-size 16 --data {cli.DataDirectory} --out {cli.OutDirectory}\n", cli.Output);
    }

    [Fact]
    public void Evaluate_scores_a_checkpoint_and_refuses_another_architecture()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");

        Assert.Equal(0, cli.Run("evaluate", "--checkpoint", checkpoint, "--data", cli.DataDirectory));
        Assert.Contains("SmallCnn from", cli.Output);
        Assert.Contains("on 32 images", cli.Output);

        Assert.Equal(1, cli.Run("evaluate", "--checkpoint", checkpoint, "--data", cli.DataDirectory, "--model", "WideCnn"));
        Assert.Contains("parameter 'conv1.weight' has shape [8, 1, 3, 3] in the checkpoint but [16, 1, 5, 5] in WideCnn", OneLine(cli.Output));
    }

    [Fact]
    public void Summary_prints_each_models_summary()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(0, cli.Run("summary", "--models", "SmallCnn", "WideCnn"));
        Assert.Contains("SmallCnn: ", cli.Output);
        Assert.Contains("WideCnn: ", cli.Output);
    }

    [Fact]
    public void Catalog_finds_only_buildable_layer_models()
    {
        // TinyConvNet has no constructor taking only a device, string is no model: neither is listed.
        using var cli = new CliHarness(withData: false);
        Assert.Equal(new[] { "SmallCnn", "WideCnn" }, cli.Catalog.Names.ToArray());
    }

    private const string Left = "LayerDsl.Runtime.Tests.Fixtures.Left.TwinNet";
    private const string Right = "LayerDsl.Runtime.Tests.Fixtures.Right.TwinNet";

    [Fact]
    public void Models_sharing_a_class_name_go_by_their_full_names_and_either_name_works_where_it_is_unambiguous()
    {
        var catalog = new ModelCatalog(new[] { typeof(Fixtures.Left.TwinNet), typeof(Fixtures.Right.TwinNet), typeof(SmallCnn) });

        Assert.Equal(new[] { Left, Right, "SmallCnn" }, catalog.Names);
        Assert.Equal(Right, catalog.Resolve(Right.ToLowerInvariant()));
        Assert.Equal("SmallCnn", catalog.Resolve("smallcnn"));
        Assert.Equal("SmallCnn", catalog.Resolve("LayerDsl.Runtime.Tests.Fixtures.SmallCnn"));
        var e = Assert.Throws<UsageException>(() => catalog.Resolve("TwinNet"));
        Assert.Equal($"model name 'TwinNet' is ambiguous: it could be {Left} or {Right}; give the full name", e.Message);
    }

    [Fact]
    public void Every_command_runs_with_two_models_of_the_same_class_name()
    {
        using var cli = new CliHarness(train: 64, test: 32) { Models = new[] { typeof(Fixtures.Left.TwinNet), typeof(Fixtures.Right.TwinNet) } };

        Assert.Equal(0, cli.Run("summary"));
        Assert.Contains($"{Left}:", cli.Output);
        Assert.Contains($"{Right}:", cli.Output);

        Assert.Equal(2, cli.Run("compare", "--models", "TwinNet", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        Assert.Contains("model name 'TwinNet' is ambiguous", cli.Output);

        Assert.Equal(0, cli.Run("compare", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        string checkpoints = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0");
        Assert.True(File.Exists(Path.Combine(checkpoints, $"{Left}.epoch1.ckpt")));
        Assert.True(File.Exists(Path.Combine(checkpoints, $"{Right}.epoch1.ckpt")));
        Assert.Equal(0, cli.Run("evaluate", "--checkpoint", Path.Combine(checkpoints, $"{Right}.epoch1.ckpt"), "--data", cli.DataDirectory));
        Assert.Contains($"{Right} from", cli.Output);
    }

    [Fact]
    public void A_model_that_does_not_fit_fashion_mnist_is_refused_naming_its_shape()
    {
        using var cli = new CliHarness(train: 64, test: 32) { Models = new[] { typeof(SmallCnn), typeof(TwoClassCnn) } };
        Assert.Equal(2, cli.Run("compare", "--models", "TwoClassCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        Assert.Contains("error: TwoClassCnn has output shape [2] but Fashion-MNIST has 10 classes; end it with a Dense(10) layer to run it here", cli.Output);
    }

    [Theory]
    [InlineData(new[] { "compare", "--out", "a b", "--resume", "--epochs", "2" }, "/o", true, "compare --epochs 2 --out /o --resume")]
    [InlineData(new[] { "compare", "--out=x", "--resume", "true", "--lr", "1e-3" }, "/o", true, "compare --lr 1e-3 --out /o --resume")]
    [InlineData(new[] { "compare", "--models", "A,B", "--data", "/d d" }, "/o p", false, "compare --models A,B --data '/d d' --out '/o p'")]
    public void The_resume_command_replaces_out_and_resume_and_quotes_for_the_shell(string[] args, string outDirectory, bool resume, string expected)
    {
        string line = new CommandEcho(Array.Empty<string>()).Format(CommandEcho.WithOutput(args, outDirectory, resume));
        Assert.Equal(expected, line);
        Assert.Equal("'it'\\''s'", CommandEcho.Quote("it's"));
    }
}
