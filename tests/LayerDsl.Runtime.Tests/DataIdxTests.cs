using System.IO;
using LayerDsl.Experiments.Data;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

public sealed class DataIdxTests
{
    private static DataFormatException ReadImagesFails(byte[] content, string name = "bad-images.gz")
    {
        using var dir = new TempDir();
        string path = dir.Sub(name);
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path, 28, 28, out _));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    private static DataFormatException ReadLabelsFails(byte[] content, string name = "bad-labels.gz")
    {
        using var dir = new TempDir();
        string path = dir.Sub(name);
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path, 10));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Reads_gzip_and_plain_files_alike()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.Sub("a.gz"), IdxFiles.Gzip(IdxFiles.Images(3)));
        File.WriteAllBytes(dir.Sub("b"), IdxFiles.Images(3));
        byte[] a = IdxReader.ReadImages(dir.Sub("a.gz"), 28, 28, out int countA);
        byte[] b = IdxReader.ReadImages(dir.Sub("b"), 28, 28, out int countB);
        Assert.Equal(3, countA);
        Assert.Equal(3, countB);
        Assert.Equal(a, b);
        Assert.Equal(3 * 784, a.Length);
    }

    [Fact]
    public void Wrong_images_magic_is_named()
    {
        var e = ReadImagesFails(IdxFiles.Gzip(IdxFiles.Images(2, magic: 0x00000804)));
        Assert.Contains("magic number 0x00000804, expected 0x00000803", e.Message);
    }

    [Fact]
    public void Labels_file_given_as_images_says_so()
    {
        var e = ReadImagesFails(IdxFiles.Gzip(IdxFiles.Labels(5)));
        Assert.Contains("this is a labels file", e.Message);
    }

    [Fact]
    public void Wrong_labels_magic_is_named()
    {
        var e = ReadLabelsFails(IdxFiles.Gzip(IdxFiles.Images(1)));
        Assert.Contains("expected 0x00000801 (this is an images file)", e.Message);
    }

    [Fact]
    public void Images_that_are_not_28_by_28_are_refused()
    {
        var e = ReadImagesFails(IdxFiles.Gzip(IdxFiles.Images(2, rows: 32, cols: 32)));
        Assert.Contains("images are 32x32, expected 28x28", e.Message);
    }

    [Fact]
    public void Truncated_images_say_how_much_is_missing()
    {
        byte[] whole = IdxFiles.Images(4);
        var e = ReadImagesFails(IdxFiles.Gzip(whole[..(whole.Length - 100)]));
        Assert.Contains("file truncated", e.Message);
        Assert.Contains("4 images of 28x28 = 3136 bytes", e.Message);
        Assert.Contains("only 3036 bytes follow", e.Message);
    }

    [Fact]
    public void More_images_declared_than_present_is_truncation()
    {
        var e = ReadImagesFails(IdxFiles.Images(2, declaredCount: 3), "plain-images");
        Assert.Contains("file truncated", e.Message);
    }

    [Fact]
    public void Header_cut_short_is_truncation()
    {
        var e = ReadImagesFails(IdxFiles.Gzip(IdxFiles.Images(1)[..10]));
        Assert.Contains("ends inside the header (row count)", e.Message);
    }

    [Fact]
    public void Truncated_labels_are_refused()
    {
        var e = ReadLabelsFails(IdxFiles.Gzip(IdxFiles.Labels(3, declaredCount: 10)));
        Assert.Contains("file truncated: the header promises 10 labels but only 3 bytes follow", e.Message);
    }

    [Fact]
    public void Fewer_images_declared_than_present_is_refused()
    {
        var e = ReadImagesFails(IdxFiles.Gzip(IdxFiles.Images(3, declaredCount: 2)));
        Assert.Contains("more data follows the 2 images the header declares", e.Message);
    }

    [Fact]
    public void Fewer_labels_declared_than_present_is_refused()
    {
        var e = ReadLabelsFails(IdxFiles.Labels(5, declaredCount: 4), "plain-labels");
        Assert.Contains("more data follows the 4 labels the header declares", e.Message);
    }

    [Fact]
    public void Label_out_of_range_is_named_with_its_index()
    {
        var e = ReadLabelsFails(IdxFiles.Gzip(IdxFiles.Labels(5, badLabelAt0: 12)));
        Assert.Contains("label 12 at index 0 is outside 0-9", e.Message);
    }

    [Fact]
    public void Cut_gzip_stream_is_refused()
    {
        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(50));
        var e = ReadImagesFails(gz[..(gz.Length / 2)]);
        Assert.True(e.Message.Contains("truncated") || e.Message.Contains("corrupt gzip"), e.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.Sub(FashionMnistFiles.TrainImages), IdxFiles.Gzip(IdxFiles.Images(4)));
        File.WriteAllBytes(dir.Sub(FashionMnistFiles.TrainLabels), IdxFiles.Gzip(IdxFiles.Labels(5)));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadSplit(dir.Path, FashionMnistFiles.TrainImages, FashionMnistFiles.TrainLabels));
        Assert.Contains(dir.Sub(FashionMnistFiles.TrainLabels), e.Message);
        Assert.Contains("has 5 labels but", e.Message);
        Assert.Contains("has 4 images", e.Message);
    }

    [Fact]
    public void Tensors_are_nchw_floats_in_0_1()
    {
        using var dir = new TempDir();
        IdxFiles.WriteDataset(dir.Path, train: 6, test: 3);
        var data = FashionMnist.Load(dir.Path, trainLimit: 4);
        Assert.Equal(4, data.Train.Count);
        Assert.Equal(3, data.Test.Count);
        var (images, labels) = data.Train.ToTensors();
        using (images)
        using (labels)
        {
            Assert.Equal(new long[] { 4, 1, 28, 28 }, images.shape);
            Assert.Equal(TorchSharp.torch.ScalarType.Float32, images.dtype);
            Assert.Equal(TorchSharp.torch.ScalarType.Int64, labels.dtype);
            Assert.True(images.min().item<float>() >= 0f);
            Assert.True(images.max().item<float>() <= 1f);
            Assert.Equal(data.Train.Pixels[100] / 255f, images.flatten()[100].item<float>(), 6);
            Assert.Equal(new long[] { 0, 1, 2, 3 }, labels.data<long>().ToArray());
        }
    }
}
