using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// The generator never breaks: over a corpus of malformed and unusual declarations, no exception escapes it, every
/// LDSL diagnostic points into the user's source, and the generated code adds no compiler error or warning that the
/// same source does not already have without the generator.
/// </summary>
public class MalformedInputTests
{
    private const string U = "using LayerDsl; using TorchSharp;\n";

    /// <summary>Case name, source files, and the LDSL diagnostic IDs expected (sorted, repeats included).</summary>
    public static TheoryData<string, string[], string[]?> Cases => new()
    {
        // Missing, extra and wrongly typed arguments: the compiler reports them; LayerDsl adds nothing.
        { "input missing an argument", F(U + "[Input(28, 28)][Dense(10)] public partial class M { }"), Ids() },
        { "input with no arguments", F(U + "[Input][Dense(10)] public partial class M { }"), Ids() },
        { "input with an extra argument", F(U + "[Input(28, 28, 1, 5)][Dense(10)] public partial class M { }"), Ids() },
        { "conv missing its kernel", F(U + "[Input(28, 28, 1)][Conv2D(8)][Dense(10)] public partial class M { }"), Ids() },
        { "dense with an extra argument", F(U + "[Input(28, 28, 1)][Dense(10, 20)] public partial class M { }"), Ids() },
        { "flatten with an argument", F(U + "[Input(28, 28, 1)][Flatten(1)][Dense(10)] public partial class M { }"), Ids() },
        { "string where an int is expected", F(U + "[Input(\"28\", 28, 1)][Dense(10)] public partial class M { }"), Ids() },
        { "double where an int is expected", F(U + "[Input(28, 28, 1)][Conv2D(3.5, 3)] public partial class M { }"), Ids() },
        { "int where an enum is expected", F(U + "[Input(28, 28, 1)][Dense(10, Activation = 3)] public partial class M { }"), Ids() },
        { "wrong enum type", F(U + "[Input(28, 28, 1)][Conv2D(4, 3, Padding = Activation.ReLU)] public partial class M { }"), Ids() },
        { "unknown named argument", F(U + "[Input(28, 28, 1)][Dense(10, Units = 3)] public partial class M { }"), Ids() },
        { "string rate", F(U + "[Input(28, 28, 1)][Dropout(\"half\")][Dense(2)] public partial class M { }"), Ids() },
        { "non-constant argument", F(U + "[Input(28, 28, System.Environment.ProcessorCount)][Dense(2)] public partial class M { }"), Ids() },
        { "unclosed argument list", F(U + "[Input(28, 28, 1)][Dense(]\npublic partial class M { }"), Ids() },
        { "unclosed class", F(U + "[Input(28, 28, 1)][Dense(10)] public partial class M {"), Ids() },

        // const and expression arguments, named arguments in any order, other ways to write the attribute.
        { "const arguments", F(U + "static class Sizes { public const int Side = 28; public const int Classes = 10; }\n[Input(Sizes.Side, Sizes.Side, 1)][Dense(Sizes.Classes)] public partial class M { }"), Ids() },
        { "expression arguments", F(U + "[Input(14 * 2, 56 / 2, 3 - 2)][Conv2D(8 >> 1, 1 + 2, Stride = 2 - 1)][Dropout(1.0 / 4)][Dense(sizeof(int))] public partial class M { }"), Ids() },
        { "cast enum arguments", F(U + "[Input(8, 8, 1)][Conv2D(4, 3, Padding = (Padding)1, Activation = (Activation)2)][Dense(2)] public partial class M { }"), Ids() },
        { "undefined enum value", F(U + "[Input(8, 8, 1)][Conv2D(4, 3, Padding = (Padding)7)][Dense(2, Activation = (Activation)42)] public partial class M { }"), Ids("LDSL0010", "LDSL0010") },
        { "named arguments in any order", F(U + "[Input(channels: 1, width: 28, height: 28)][Conv2D(kernelSize: 3, filters: 8, Activation = Activation.ReLU, Stride = 1, Padding = Padding.Same)][MaskedConv(filters: 4, kernelSize: 3, UseBias = true, Activation = Activation.None)][Dense(units: 10, InFeatures = 2704)] public partial class M { }"), Ids() },
        { "positional then named argument", F(U + "[Input(28, width: 28, channels: 1)][Dense(10)] public partial class M { }"), Ids() },
        { "default literal", F(U + "[Input(default, 28, 1)][Dense(10)] public partial class M { }"), Ids("LDSL0010") },
        { "qualified attribute names", F("[global::LayerDsl.InputAttribute(8, 8, 1)][LayerDsl.Conv2D(2, 3)][LayerDsl.DenseAttribute(2)] public partial class M { }"), Ids() },
        { "alias-qualified attribute names", F("using L = LayerDsl;\n[L::Input(8, 8, 1)][L.Flatten][L::Dense(2)] public partial class M { }"), Ids() },
        { "attributes in one list", F(U + "[Input(8, 8, 1), Conv2D(2, 3), Dense(2)] public partial class M { }"), Ids() },
        { "input after the layers", F(U + "[Conv2D(2, 3)][Dense(2)][Input(8, 8, 1)] public partial class M { }"), Ids("LDSL0019") },
        { "parentheses on argumentless attributes", F(U + "[Input(8, 8, 1)][ReLU()][Flatten()][BatchNorm()][Dense(2)][Softmax()] public partial class M { }"), Ids() },

        // Huge and out-of-range values.
        { "int.MaxValue input", F(U + "[Input(int.MaxValue, int.MaxValue, int.MaxValue)][Dense(10)] public partial class M { }"), Ids("LDSL0014") },
        { "int.MinValue input", F(U + "[Input(int.MinValue, 28, 1)][Dense(10)] public partial class M { }"), Ids("LDSL0010") },
        { "int.MaxValue filters", F(U + "[Input(28, 28, 1)][Conv2D(int.MaxValue, 3)][Dense(10)] public partial class M { }"), Ids("LDSL0014") },
        { "int.MaxValue kernel", F(U + "[Input(28, 28, 1)][Conv2D(1, int.MaxValue)] public partial class M { }"), Ids("LDSL0011") },
        { "int.MaxValue kernel with same padding", F(U + "[Input(1, 1, 1)][Conv2D(2, int.MaxValue, Padding = Padding.Same)][Conv2D(2, int.MaxValue, Padding = Padding.Same)] public partial class M { }"), Ids("LDSL0014") },
        { "parameter total beyond 64 bits", F(U + "[Input(1, 1, 1)][Conv2D(1, int.MaxValue, Padding = Padding.Same)][Conv2D(1, int.MaxValue, Padding = Padding.Same)][Conv2D(1, int.MaxValue, Padding = Padding.Same)] public partial class M { }"), Ids("LDSL0014") },
        { "huge masked conv kernels", F(U + "[Input(1, 1, 1)][MaskedConv(48000, 1, Padding = Padding.Same)][MaskedConv(48000, 1, Padding = Padding.Same)] public partial class M { }"), Ids("LDSL0014") },
        { "int.MaxValue strides", F(U + "[Input(28, 28, 1)][Conv2D(2, 3, Stride = int.MaxValue)][MaxPool2D(1, Stride = int.MaxValue)][MaskedConv(1, 2, Stride = int.MaxValue, Padding = Padding.Same)][Dense(2)] public partial class M { }"), Ids() },
        { "int.MaxValue pool", F(U + "[Input(28, 28, 1)][MaxPool2D(int.MaxValue)][Dense(2)] public partial class M { }"), Ids("LDSL0011") },
        { "int.MaxValue units", F(U + "[Input(2, 2, 1)][Dense(int.MaxValue)][Dense(int.MaxValue)] public partial class M { }"), Ids() },
        { "int.MaxValue in-features pin", F(U + "[Input(28, 28, 1)][Dense(10, InFeatures = int.MaxValue)] public partial class M { }"), Ids("LDSL0013") },
        { "int.MinValue everywhere", F(U + "[Input(28, 28, 1)][Conv2D(int.MinValue, int.MinValue, Stride = int.MinValue, Padding = (Padding)int.MinValue, Activation = (Activation)int.MinValue)][MaxPool2D(int.MinValue, Stride = int.MinValue)][Dense(int.MinValue, InFeatures = int.MinValue)] public partial class M { }"), Ids("LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010") },
        { "NaN and infinite doubles", F(U + "[Input(8, 8, 1)][Dropout(double.NaN)][BatchNorm(Epsilon = double.PositiveInfinity, Momentum = double.NaN)][Dense(2)] public partial class M { }"), Ids("LDSL0010", "LDSL0010", "LDSL0010") },
        { "tiny doubles", F(U + "[Input(8, 8, 1)][Dropout(double.Epsilon)][BatchNorm(Epsilon = double.Epsilon, Momentum = 1)][Dense(2)] public partial class M { }"), Ids() },
        { "zero sizes", F(U + "[Input(0, 0, 0)][Conv2D(0, 0, Stride = 0)][Dense(0)] public partial class M { }"), Ids("LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010", "LDSL0010") },

        // Declarations: kinds of type, modifiers, nesting, namespaces.
        { "struct", F(U + "[Input(28, 28, 1)][Dense(10)] public partial struct S { }"), Ids() },
        { "record", F(U + "[Input(28, 28, 1)][Dense(10)] public partial record R;"), Ids("LDSL0004") },
        { "record struct", F(U + "[Input(28, 28, 1)][Dense(10)] public partial record struct R;"), Ids() },
        { "interface", F(U + "[Input(28, 28, 1)][Dense(10)] public partial interface I { }"), Ids() },
        { "static class", F(U + "[Input(28, 28, 1)][Dense(10)] public static partial class S { }"), Ids("LDSL0004") },
        { "abstract class", F(U + "[Input(28, 28, 1)][Dense(10)] public abstract partial class A { }"), Ids() },
        { "sealed internal class", F(U + "[Input(28, 28, 1)][Dense(10)] internal sealed partial class S { }"), Ids() },
        { "file-local class", F(U + "[Input(28, 28, 1)][Dense(10)] file partial class F { }"), Ids() },
        { "not partial", F(U + "[Input(28, 28, 1)][Dense(10)] public class M { }"), Ids("LDSL0001") },
        { "generic class", F(U + "[Input(28, 28, 1)][Dense(10)] public partial class G<T> { }"), Ids("LDSL0002") },
        { "nested in a generic class", F(U + "public partial class Outer<T> { [Input(28, 28, 1)][Dense(10)] public partial class M { } }"), Ids("LDSL0002") },
        { "nested in a partial class", F(U + "namespace A; public partial class Outer { [Input(8, 8, 1)][Dense(2)] private partial class M { } }"), Ids() },
        { "nested in a non-partial class", F(U + "public class Outer { [Input(8, 8, 1)][Dense(2)] public partial class M { } }"), Ids("LDSL0003") },
        { "nested in partial struct, record struct, interface", F(U + "public partial struct S { [Input(8, 8, 1)][Dense(2)] public partial class M { } }\npublic partial record struct R { [Input(8, 8, 1)][Dense(2)] public partial class M { } }\npublic partial interface I { [Input(8, 8, 1)][Dense(2)] public partial class M { } }"), Ids() },
        { "nested in readonly and ref structs", F(U + "public readonly partial struct S { [Input(8, 8, 1)][Dense(2)] public partial class M { } }\npublic ref partial struct Q { [Input(8, 8, 1)][Dense(2)] public partial class M { } }"), Ids() },
        { "nested in a static class", F(U + "public static partial class Models { [Input(8, 8, 1)][Dense(2)] public partial class M { } }"), Ids() },
        { "deeply nested", F(U + "namespace A.B.C { public partial class X { public partial record Y { public partial class Z { [Input(8, 8, 1)][Dense(2)] public partial class M { } } } } }"), Ids() },
        { "model nested in a model", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class Outer { [Input(4, 4, 1)][Dense(3)] public partial class Inner { } }"), Ids() },
        { "global namespace", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { }"), Ids() },
        { "file-scoped namespace", F(U + "namespace Demo.Nets;\n[Input(8, 8, 1)][Dense(2)] public partial class M { }"), Ids() },
        { "keyword names", F(U + "namespace @namespace.@class { [Input(8, 8, 1)][Dense(2)] public partial class @class { } }"), Ids() },
        { "unicode names", F(U + "namespace Modèles { [Input(8, 8, 1)][Dense(2)] public partial class Réseau { } }"), Ids() },
        { "names that shadow System, TorchSharp and LayerDsl", F(U + "namespace Demo { public class System { } public class TorchSharp { } public class LayerDsl { } public class Tensor { } [global::LayerDsl.Input(8, 8, 1)][global::LayerDsl.Conv2D(2, 3)][global::LayerDsl.Dense(2)] public partial class M { } }"), Ids() },
        { "namespace named like the class", F(U + "namespace Net { [Input(8, 8, 1)][Dense(2)] public partial class Net { } }"), Ids() },
        { "nullable disabled", F("#nullable disable\n" + U + "[Input(8, 8, 1)][Dense(2)] public partial class M { public string Name; }"), Ids() },

        // Partial declarations across files, names that collide.
        { "partial declarations across files", new[] { U + "[Input(8, 8, 1)][Conv2D(2, 3)][Dense(2)] public partial class M { }", "public partial class M { public int Epochs => 3; }" }, Ids() },
        { "layers split across files", new[] { U + "[Input(8, 8, 1)][Conv2D(2, 3)] public partial class M { }", U + "[Dense(2)] public partial class M { }" }, Ids("LDSL0008") },
        { "input in one file, layers in another", new[] { U + "[Input(8, 8, 1)] public partial class M { }", U + "[Dense(2)] public partial class M { }" }, Ids("LDSL0008") },
        { "input on two declarations", new[] { U + "[Input(8, 8, 1)][Dense(2)] public partial class M { }", U + "[Input(8, 8, 1)] public partial class M { }" }, Ids("LDSL0007", "LDSL0008") },
        { "one declaration not partial", new[] { U + "[Input(8, 8, 1)][Dense(2)] public partial class M { }", "public class M { }" }, Ids("LDSL0001") },
        { "layers but no input", F(U + "[Conv2D(2, 3)][Dense(2)] public partial class M { }"), Ids("LDSL0006") },
        { "input but no layers", F(U + "[Input(8, 8, 1)] public partial class M { }"), Ids("LDSL0015") },
        { "two inputs", F(U + "[Input(8, 8, 1)][Input(4, 4, 1)][Dense(2)] public partial class M { }"), Ids("LDSL0007") },
        { "user forward method", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { public void forward() { } }"), Ids("LDSL0009") },
        { "user field named like a layer", F(U + "[Input(8, 8, 1)][Conv2D(2, 3)][Dense(2)] public partial class M { private int conv1; }"), Ids("LDSL0009") },
        { "user Info and Summary", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { public int Info; public static string Summary() => \"\"; }"), Ids("LDSL0009", "LDSL0009") },
        { "user constructor taking a Device", F(U + "using TorchSharp;\n[Input(8, 8, 1)][Dense(2)] public partial class M { public M(torch.Device device) : base(\"M\") { } }"), Ids("LDSL0009") },
        { "user member named like an unused layer name", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { private int dense2; private int conv1; }"), Ids() },
        { "class named like a generated member", F(U + "namespace A { [Input(8, 8, 1)][Dense(2)] public partial class Info { } }\nnamespace B { [Input(8, 8, 1)][Dense(2)] public partial class forward { } }\nnamespace C { [Input(8, 8, 1)][Dense(2)] public partial class dense1 { } }"), Ids("LDSL0009", "LDSL0009", "LDSL0009") },
        { "same name in two namespaces", new[] { U + "namespace A { [Input(8, 8, 1)][Dense(2)] public partial class M { } }", U + "namespace B { [Input(4, 4, 1)][Dense(3)] public partial class M { } }" }, Ids() },
        { "same name nested in two classes", F(U + "public partial class A { [Input(8, 8, 1)][Dense(2)] public partial class M { } }\npublic partial class B { [Input(8, 8, 1)][Dense(2)] public partial class M { } }"), Ids() },
        { "base class", F(U + "public class Base { }\n[Input(8, 8, 1)][Dense(2)] public partial class M : Base { }"), Ids("LDSL0005") },
        { "already a module", F(U + "using TorchSharp;\n[Input(8, 8, 1)][Dense(2)] public partial class M : torch.nn.Module<torch.Tensor, torch.Tensor> { }"), Ids() },
        { "implements an interface", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M : System.IComparable { public int CompareTo(object? other) => 0; }"), Ids() },
        { "user code using the generated members", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { public static long Count() => Info.Parameters; public void Run() { using var x = forward(TorchSharp.torch.zeros(1, 1, 8, 8)); } }"), Ids() },
        { "rejected layer before a pinned dense", F(U + "[Input(28, 28, 1)][MaxPool2D(\"2\")][Dense(10, InFeatures = 196)] public partial class M { }"), Ids() },
        { "user constructor chaining to the generated one", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { public M(int seed) : this(null) { } }"), Ids() },
        { "user static constructor and locals named like generated ones", F(U + "[Input(8, 8, 1)][Dense(2)] public partial class M { static M() { } private static int x, input, scope, outputs, device; }"), Ids() },
        { "attribute on a method", F(U + "public partial class M { [Input(8, 8, 1)][Dense(2)] public void Build() { } }"), Ids() },
        { "attribute on the assembly", F(U + "[assembly: Input(8, 8, 1)]\npublic partial class M { }"), Ids() },
        { "user-defined attribute named Input", F("namespace Other { public sealed class InputAttribute : System.Attribute { public InputAttribute(int a, int b, int c) { } } [Input(8, 8, 1)] public partial class M { } }"), Ids() },

        // Blocks: type arguments that are not blocks, cycles, empty and huge, declarations that cannot be built.
        { "Use of a class that is not a block", F(U + "public partial class Plain { }\n[Input(4)][Use<Plain>] public partial class M { }"), Ids("LDSL0021") },
        { "Use of a class that forgot [Block]", F(U + "[Dense(2)] public partial class Forgot { }\n[Input(4)][Use<Forgot>] public partial class M { }"), Ids("LDSL0006", "LDSL0021") },
        { "Use of types from other assemblies", F(U + "[Input(4)][Use<string>][Residual<TorchSharp.Modules.Linear>][Concat<LayerDsl.ModelInfo, object>] public partial class M { }\n[Block][Add<string, object>] public partial class B { }"), Ids("LDSL0021", "LDSL0021", "LDSL0021") },
        { "Use of a model", F(U + "[Input(4)][Dense(4)] public partial class Other { }\n[Input(4)][Use<Other>] public partial class M { }"), Ids("LDSL0021") },
        { "Use of the model itself", F(U + "[Input(4)][Dense(4)][Residual<M>] public partial class M { }"), Ids("LDSL0021") },
        { "Use of a block with an Input", F(U + "[Block][Input(4)][Dense(4)] public partial class B { }\n[Input(4)][Use<B>] public partial class M { }"), Ids("LDSL0021", "LDSL0026") },
        { "Use of an interface", F(U + "public interface IB { }\n[Input(4)][Use<IB>] public partial class M { }"), Ids("LDSL0021") },
        { "Block on an interface", F(U + "[Block][Dense(2)] public partial interface IB { }\n[Input(4)][Use<IB>] public partial class M { }"), Ids("LDSL0023") },
        { "Use of a struct", F(U + "public struct S { }\n[Input(4)][Use<S>][Dense(2)] public partial class M { }"), Ids("LDSL0021") },
        { "Block on a struct", F(U + "[Block][Dense(2)] public partial struct S { }\n[Input(4)][Dense(2)] public partial class M { }"), Ids() },
        { "Use of a generic block", F(U + "[Block][Dense(2)] public partial class G<T> { }\n[Input(4)][Use<G<int>>] public partial class M { }"), Ids("LDSL0002", "LDSL0023") },
        { "Use of a block nested in a generic type", F(U + "public partial class Outer<T> { [Block][Dense(2)] public partial class B { } }\n[Input(4)][Use<Outer<int>.B>] public partial class M { }"), Ids("LDSL0002", "LDSL0023") },
        { "Use of a block nested in a non-partial class", F(U + "public class Outer { [Block][Dense(2)] public partial class B { } }\n[Input(4)][Use<Outer.B>] public partial class M { }"), Ids("LDSL0003", "LDSL0023") },
        { "Use of a block nested in a partial class", F(U + "public partial class Outer { [Block][Dense(2)] private partial class B { } [Input(4)][Use<B>][Concat<B, B>] public partial class M { } }"), Ids() },
        { "Block not partial", F(U + "[Block][Dense(2)] public class B { }\n[Input(4)][Use<B>] public partial class M { }"), Ids("LDSL0001", "LDSL0023") },
        { "Block not partial, used by no model", F(U + "[Block][Dense(2)] public class B { }\n[Input(4)][Dense(2)] public partial class M { }"), Ids("LDSL0001") },
        { "Block that places itself", F(U + "[Block][Dense(4)][Use<A>] public partial class A { }\n[Input(4)][Use<A>] public partial class M { }"), Ids("LDSL0022", "LDSL0022") },
        { "Blocks in an indirect cycle", F(U + "[Block][Use<B>] public partial class A { }\n[Block][Dense(4)][Residual<C>] public partial class B { }\n[Block][Concat<A, A>] public partial class C { }\n[Input(4)][Dense(4)][Use<A>] public partial class M { }"), Ids("LDSL0022", "LDSL0022", "LDSL0022", "LDSL0022") },
        { "Block reaching a cycle it is not part of", F(U + "[Block][Use<B>] public partial class A { }\n[Block][Use<B>(Repeat = 3)] public partial class B { }\n[Input(4)][Use<A>] public partial class M { }"), Ids("LDSL0022", "LDSL0022", "LDSL0022") },
        { "Empty block", F(U + "[Block] public partial class E { }\n[Input(4)][Use<E>] public partial class M { }"), Ids("LDSL0015", "LDSL0023") },
        { "Empty block used by no model", F(U + "[Block] public partial class E { }"), Ids("LDSL0015") },
        { "Block with a bad argument", F(U + "[Block][Dense(0)][Dropout(2)] public partial class B { }\n[Input(4)][Residual<B>] public partial class M { }"), Ids("LDSL0010", "LDSL0010", "LDSL0023") },
        { "Block with a member named like a generated one", F(U + "[Block][Dense(2)] public partial class B { public int forward; private int dense1; }\n[Input(4)][Use<B>] public partial class M { }"), Ids("LDSL0009", "LDSL0009", "LDSL0023") },
        { "Repeat of int.MaxValue, 0 and -1", F(U + "[Block][ReLU] public partial class B { }\n[Input(4)][Use<B>(Repeat = int.MaxValue)][Use<B>(Repeat = 0)][Use<B>(Repeat = -1)] public partial class M { }"), Ids("LDSL0010", "LDSL0010", "LDSL0010") },
        { "Repeat just past its limit", F(U + "[Block][ReLU] public partial class B { }\n[Block][Use<B>(Repeat = 1001)] public partial class C { }\n[Input(4)][Use<C>] public partial class M { }"), Ids("LDSL0010", "LDSL0023") },
        { "Repeat at its limit", F(U + "[Block][ReLU] public partial class B { }\n[Input(4)][Use<B>(Repeat = 1000)] public partial class M { }"), Ids() },
        { "Block used by no model", F(U + "[Block][Conv2D(4, 3)][BatchNorm] public partial class B { }\n[Input(4)][Dense(2)] public partial class M { }"), Ids() },
        { "Block used at two shapes", F(U + "[Block][Conv2D(4, 3, Padding = Padding.Same)] public partial class B { }\n[Input(8, 8, 1)][Use<B>][MaxPool2D][Use<B>(Repeat = 2)] public partial class M { }"), Ids() },
        { "Block used at two shapes by two models", new[] { U + "[Block][Dense(3)] public partial class B { }", U + "[Input(4)][Use<B>] public partial class M { }", U + "[Input(6)][Use<B>] public partial class N { }" }, Ids() },
        { "Block that fits only one of its placements", F(U + "[Block][Conv2D(4, 3)] public partial class B { }\n[Input(8, 8, 1)][Use<B>][MaxPool2D(3)][Use<B>] public partial class M { }"), Ids("LDSL0011") },
        { "Same-named blocks in two namespaces", F(U + "namespace A { [Block][Dense(2)] public partial class B { } }\nnamespace C { [Block][Dense(3)] public partial class B { } [Input(4)][Use<A.B>][Use<C.B>][Concat<A.B, C.B>][Add<A.B, A.B>] public partial class M { } }"), Ids() },
        { "Same-named blocks in two files", new[] { U + "namespace A; [Block][Dense(2)] public partial class B { }", U + "namespace C; [Block][Dense(2)] public partial class B { }", U + "[Input(4)][Residual<A.B>(Project = true)][Residual<C.B>] public partial class M { }" }, Ids() },
        { "Class that is both block and model", F(U + "[Block][Input(4)][Dense(2)] public partial class X { }"), Ids("LDSL0026") },
        { "Block layers split across declarations", new[] { U + "[Block][Dense(2)] public partial class B { }", U + "[ReLU] public partial class B { }\n[Input(4)][Use<B>] public partial class M { }" }, Ids("LDSL0008", "LDSL0023") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratorNeverBreaksAndAddsNoErrors(string name, string[] sources, string[]? expectedIds)
    {
        var files = sources.Select((s, i) => ($"File{i}.cs", s)).ToArray();
        var run = GeneratorHarness.Run(GeneratorHarness.CompileFiles(files)); // fails when the generator threw
        var all = run.GeneratorDiagnostics.Concat(run.Output.GetDiagnostics()).ToList();

        Assert.DoesNotContain(all, d => d.Id is "CS8785" or "CS8784");

        var texts = files.ToDictionary(f => f.Item1, f => f.Item2);
        foreach (var diagnostic in run.LayerDslDiagnostics)
        {
            Assert.True(SourceLocations.IsInFile(diagnostic.Location, texts), $"{name}: {diagnostic} has no location in the user's source");
        }

        // Nothing may be reported inside generated code, and no error may appear that the source alone does not have.
        var generated = run.Output.SyntaxTrees.Where(t => !files.Any(f => f.Item1 == t.FilePath)).Select(t => t.FilePath).ToHashSet();
        var outputDiagnostics = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var inGenerated = outputDiagnostics.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree.FilePath)).ToList();
        Assert.True(inGenerated.Count == 0, $"{name}: diagnostics in generated code:\n{string.Join("\n", inGenerated)}\n\n{string.Join("\n\n", run.GeneratedSources.Values)}");

        var baseline = run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(Key).ToHashSet();
        var added = outputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !baseline.Contains(Key(d))).ToList();
        Assert.True(added.Count == 0, $"{name}: errors the generator caused:\n{string.Join("\n", added)}");

        if (expectedIds is not null)
        {
            Assert.Equal(expectedIds, run.LayerDslDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray());
        }

        // With analyzers on, the generator leaves every diagnostic to the analyzer; with them off (RunAnalyzers=false),
        // it reports exactly what the analyzer would have, at the same real source locations.
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("LDSL", StringComparison.Ordinal));
        var offline = GeneratorHarness.Run(GeneratorHarness.CompileFiles(files), GeneratorHarness.CreateDriver(analyzersRun: false));
        Assert.Equal(
            run.AnalyzerDiagnostics.Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal),
            offline.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal));
        Assert.All(offline.GeneratorDiagnostics, d => Assert.True(d.Location.IsInSource, $"{name}: {d} is not on a source location"));
    }

    private static (string Id, string Path, int Start, int Length) Key(Diagnostic d) =>
        (d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

    private static string[] F(string source) => new[] { source };

    private static string[] Ids(params string[] ids) => ids.OrderBy(id => id, StringComparer.Ordinal).ToArray();
}
