using System.Collections.Generic;
using System.Linq;

namespace LayerDsl.Tests.Shared;

/// <summary>
/// One model per diagnostic ID, each in a file of its own, with the diagnostic marked (Roslyn testing markup,
/// <c>{|LDSL0013:InFeatures = 784|}</c>) where a build reports it and an editor must show it: on the attribute or
/// argument at fault. A new ID is one row. Linked into the code-fix tests (the build's diagnostics) and the
/// language-server test (what csharp-ls shows).
/// </summary>
internal static class DiagnosticCases
{
    /// <summary>IDs that no source can trigger, with the reason (checked against the README's list of IDs).</summary>
    public static readonly IReadOnlyDictionary<string, string> Untriggerable = new Dictionary<string, string>
    {
        ["LDSL0016"] = "an internal error: reported only when the generator's emitter throws, which no valid or invalid model makes it do",
        ["LDSL0018"] = "a layer attribute without a generator rule: only LayerDsl can derive from LayerAttribute (its constructor is private protected), so only a runtime and generator of different versions can meet one",
        ["LDSL0029"] = "a block declared in another assembly: needs a second project; the generator tests compile a block into a referenced assembly to check it",
    };

    /// <summary>File name (without <c>.cs</c>, also the namespace) → the model with its expected diagnostic marked.</summary>
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["Ldsl0001NotPartial"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public class {|LDSL0001:Net|}
            {
            }
            """,
        ["Ldsl0002Generic"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public partial class {|LDSL0002:Net|}<T>
            {
            }
            """,
        ["Ldsl0003ContainerNotPartial"] = """
            public class Outer
            {
                [Input(4, 4, 1)]
                [Dense(2)]
                public partial class {|LDSL0003:Net|}
                {
                }
            }
            """,
        ["Ldsl0004Static"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public static partial class {|LDSL0004:Net|}
            {
            }
            """,
        ["Ldsl0005BaseClass"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public partial class {|LDSL0005:Net|} : System.Exception
            {
            }
            """,
        ["Ldsl0006MissingInput"] = """
            [{|LDSL0006:Conv2D(8, 3)|}]
            [Dense(2)]
            public partial class Net
            {
            }
            """,
        ["Ldsl0007DuplicateInput"] = """
            [Input(4, 4, 1)]
            [{|LDSL0007:Input(8, 8, 1)|}]
            [Dense(2)]
            public partial class Net
            {
            }
            """,
        ["Ldsl0008SplitDeclarations"] = """
            [Input(4, 4, 1)]
            [Dense(4)]
            public partial class Net
            {
            }

            [{|LDSL0008:Dense(2)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0009MemberCollision"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public partial class Net
            {
                public int {|LDSL0009:dense1|} => 1;
            }
            """,
        ["Ldsl0010InvalidArgument"] = """
            [Input(8, 8, 1)]
            [Conv2D({|LDSL0010:0|}, 3)]
            public partial class Net
            {
            }
            """,
        ["Ldsl0011KernelTooLarge"] = """
            [Input(5, 9, 3)]
            [Conv2D(8, {|LDSL0011:7|})]
            public partial class Net
            {
            }
            """,
        ["Ldsl0012SpatialAfterFlatten"] = """
            [Input(8, 8, 2)]
            [Flatten]
            [{|LDSL0012:Conv2D(4, 3)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0013InFeaturesPin"] = """
            [Input(28, 28, 1)]
            [MaskedConv(5, 32)]
            [Dense(10, {|LDSL0013:InFeatures = 784|})]
            public partial class Origin
            {
            }
            """,
        ["Ldsl0014SizeOverflow"] = """
            [Input(40000, 50000, 1)]
            [{|LDSL0014:Conv2D(2, 1)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0015NoLayers"] = """
            [{|LDSL0015:Input(4, 4, 1)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0019InputNotFirst"] = """
            [Dense(2)]
            [{|LDSL0019:Input(4)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0020SwappedArguments"] = """
            [Input(64, 64, 3)]
            [{|LDSL0020:Conv2D(3, 32)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0021NotABlock"] = """
            public partial class Helper
            {
            }

            [Input(4)]
            [{|LDSL0021:Use<Helper>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0022BlockCycle"] = """
            [Block]
            [Dense(4)]
            [{|LDSL0022:Use<Loop>|}]
            public partial class Loop
            {
            }
            """,
        ["Ldsl0023BlockHasErrors"] = """
            [Block]
            public partial class {|LDSL0015:Broken|}
            {
            }

            [Input(4)]
            [{|LDSL0023:Use<Broken>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0024ResidualShape"] = """
            [Block]
            [Conv2D(8, 3, Stride = 2, Padding = Padding.Same)]
            public partial class Down
            {
            }

            [Input(8, 8, 4)]
            [{|LDSL0024:Residual<Down>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0025BranchShapes"] = """
            [Block]
            [Dense(3)]
            public partial class Three
            {
            }

            [Block]
            [Dense(4)]
            public partial class Four
            {
            }

            [Input(5)]
            [{|LDSL0025:Add<Three, Four>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0026BlockWithInput"] = """
            [Block]
            [Input(4)]
            [Dense(2)]
            public partial class {|LDSL0026:Both|}
            {
            }
            """,
        ["Ldsl0027ReshapeSize"] = """
            [Input(5, 3)]
            [Reshape({|LDSL0027:4, 4|})]
            public partial class Net
            {
            }
            """,
        ["Ldsl0028Groups"] = """
            [Input(8, 8, 3)]
            [Conv2D(4, 3, {|LDSL0028:Groups = 2|})]
            public partial class Net
            {
            }
            """,
        ["Ldsl0030MalformedContract"] = """
            [LayerShape("[C] {|LDSL0030:=|}> [C]")]
            public sealed class Odd : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Odd() : base(nameof(Odd)) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }
            """,
        ["Ldsl0031UnknownContractName"] = """
            [LayerShape("[C] -> [C * {|LDSL0031:scale|}]")]
            public sealed class Odd : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Odd() : base(nameof(Odd)) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }
            """,
        ["Ldsl0032ContractRank"] = """
            [LayerShape("[C, H, W] -> [C, H, W]")]
            public sealed class Keep : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Keep() : base(nameof(Keep)) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }

            [Input(48)]
            [{|LDSL0032:Layer<Keep>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0033ContractFails"] = """
            [LayerShape("[C, H, W] -> [C, H - k + 1, W - k + 1] where H >= k")]
            public sealed class Window : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Window(long k) : base(nameof(Window)) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }

            [Input(4, 4, 1)]
            [{|LDSL0033:Layer<Window>(9)|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0034ContractArguments"] = """
            [LayerShape("[C, H, W] -> [C, H - k + 1, W - k + 1]")]
            public sealed class Window : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Window(long k) : base(nameof(Window)) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }

            [Input(4, 4, 1)]
            [{|LDSL0034:Layer<Window>("three")|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0035NotAContractLayer"] = """
            [Input(4, 4, 1)]
            [{|LDSL0035:Layer<System.Text.StringBuilder>|}]
            public partial class Net
            {
            }
            """,
        ["Ldsl0017ConstructorDoesNotChain"] = """
            [Input(4, 4, 1)]
            [Dense(2)]
            public partial class Net
            {
                public {|LDSL0017:Net|}(int seed)
                {
                }
            }
            """,
    };

    /// <summary>The file a case is written to.</summary>
    public static string FileName(string name) => name + ".cs";

    /// <summary>The whole file: the usual using, a namespace of the case's own (so that class names do not clash), the model.</summary>
    public static string Markup(string name) => "using LayerDsl;\nusing TorchSharp;\n\nnamespace Cases." + name + ";\n\n" + All[name].Replace("\r\n", "\n") + "\n";

    /// <summary>The case names, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> Names => All.Keys.Select(name => new object[] { name });
}
