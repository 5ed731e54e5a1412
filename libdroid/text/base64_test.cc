#include "text/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace droid::text {
namespace {

TEST(Base64, EncodesTheRfc4648TestVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("foob", Base64Alphabet::Standard, false), "Zm9vYg");
}

TEST(Base64, UrlAlphabetUsesMinusAndUnderscore) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64_encode(bytes, Base64Alphabet::Url), "-_-_");
  EXPECT_EQ(base64_decode("-_-_", Base64::Lenient), bytes);
  EXPECT_EQ(base64_decode("-_-_", Base64::Strict), std::nullopt);
}

TEST(Base64, StrictDecodesWhatKubernetesWritesAndRefusesTheRest) {
  EXPECT_EQ(base64_decode("", Base64::Strict), "");
  EXPECT_EQ(base64_decode("Zg==", Base64::Strict), "f");
  EXPECT_EQ(base64_decode("Zm8=", Base64::Strict), "fo");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy", Base64::Strict), "foobar");
  EXPECT_EQ(base64_decode("Zm9v!", Base64::Strict), std::nullopt);  // not the alphabet
  EXPECT_EQ(base64_decode("Z", Base64::Strict), std::nullopt);      // a lone symbol carries no byte
  EXPECT_EQ(base64_decode("Zg=x", Base64::Strict), std::nullopt);   // data after padding
  EXPECT_EQ(base64_decode("Zg===", Base64::Strict), std::nullopt);  // too much padding
  EXPECT_EQ(base64_decode("Zm8==", Base64::Strict), std::nullopt);  // padding past the group
}

TEST(Base64, LenientTakesWhatASloppyEncoderMeant) {
  EXPECT_EQ(base64_decode("cm0gLXJmIC8", Base64::Lenient), "rm -rf /");  // no padding
  EXPECT_EQ(base64_decode("cm0g\nLXJm IC8=", Base64::Lenient), "rm -rf /");
  EXPECT_EQ(base64_decode("Zm9v!", Base64::Lenient), std::nullopt);
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part), Base64::Strict), part) << n;
    EXPECT_EQ(base64_decode(base64_encode(part, Base64Alphabet::Url, false), Base64::Lenient), part) << n;
  }
}

}  // namespace
}  // namespace droid::text
