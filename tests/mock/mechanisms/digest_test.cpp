// SHA-256, HMAC-SHA256 and hex against published vectors (FIPS 180-2, RFC 4231, AWS's SigV4
// key-derivation example).
#include "mechanisms/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using runmock::mechanisms::hex;
using runmock::mechanisms::hmac_sha256;
using runmock::mechanisms::sha256_hex;

TEST(Digest, Sha256OfTheFipsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Digest, Sha256ReadsEmbeddedNulBytes) {
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(std::string("\0", 1)), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(Digest, HexIsTwoLowerCaseDigitsPerByte) {
  EXPECT_EQ(hex(""), "");
  EXPECT_EQ(hex(std::string("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
}

TEST(Digest, HmacSha256OfTheRfc4231Cases) {
  // Case 1: a 20-byte key of 0x0b.
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Case 2: a key shorter than the output.
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 6: a key longer than the block (hashed first).
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Digest, HmacSha256IsRawBytesAndTakesAnEmptyKey) {
  EXPECT_EQ(hmac_sha256("key", "data").size(), 32u);
  EXPECT_EQ(hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hex(hmac_sha256(std::string_view(), std::string_view())), hex(hmac_sha256("", "")));
}

TEST(Digest, HmacChainsOnRawBytesAsSigV4Does) {
  // AWS's example of a derived key: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215,
  // us-east-1, iam. Each step keys the next with the raw bytes of the one before.
  std::string date = hmac_sha256("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215");
  std::string service = hmac_sha256(hmac_sha256(date, "us-east-1"), "iam");
  EXPECT_EQ(hex(service), "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa");
  EXPECT_EQ(hex(hmac_sha256(service, "aws4_request")), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

}  // namespace
