#include "contract/rfc3339.h"

#include <gtest/gtest.h>

namespace droid::contract {
namespace {

TEST(Rfc3339, FormatsAndParsesKubernetesTimes) {
  const auto t = parse_rfc3339("2026-12-07T08:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(Clock::to_time_t(*t), 1796630400);  // date -ud 2026-12-07T08:00:00Z +%s
  EXPECT_EQ(format_rfc3339(*t), "2026-12-07T08:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-12-07T09:30:00+01:30"), t);
  EXPECT_EQ(parse_rfc3339("2026-12-07T06:00:00-02:00"), t);
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-07T08:00:00.987654Z")), "2026-12-07T08:00:00Z");
  for (const char* bad : {"", "2026-12-07", "2026-12-07T08:00:00", "2026-12-07 08:00:00Z", "2026-13-07T08:00:00Z",
                          "2026-12-07T24:00:00Z", "2026-12-07T08:00:00Zjunk", "2026-12-07T08:00:00.Z",
                          "2026-12-07T08:00:00+0100", "2026-12-07T08:00:00+25:00", "x026-12-07T08:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

}  // namespace
}  // namespace droid::contract
