/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classic pcap writer. Fields are written little-endian byte by byte rather
 * than as host structs, so a file is the same bytes on every host (readers
 * learn the order from the magic anyway).
 */
#include <errno.h>
#include <stdio.h>

#include "op25b_craft.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int
write_all(FILE *f, const void *data, size_t len)
{
	if (len > 0 && fwrite(data, 1, len, f) != len)
		return errno ? -errno : -EIO;
	return 0;
}

/**
 * Write the 24-byte global header: magic 0xa1b2c3d4 (microseconds),
 * version 2.4, zone 0, sigfigs 0, snaplen 65535, link type 1 (Ethernet).
 * @return 0, or -errno (-EIO when the stream gives no errno).
 */
int
op25b_pcap_write_header(FILE *f)
{
	uint8_t hdr[24] = { 0 };

	put_le32(hdr, PCAP_MAGIC_USEC);
	put_le16(hdr + 4, PCAP_VERSION_MAJOR);
	put_le16(hdr + 6, PCAP_VERSION_MINOR);
	put_le32(hdr + 16, PCAP_SNAPLEN);
	put_le32(hdr + 20, PCAP_LINKTYPE_ETHERNET);
	return write_all(f, hdr, sizeof(hdr));
}

/**
 * Write one record stamped @p usec microseconds after the epoch. A frame
 * longer than the snap length is stored cut, with its original length.
 * @return 0, or -errno (-EIO when the stream gives no errno).
 */
int
op25b_pcap_write_frame(FILE *f, const uint8_t *frame, unsigned int len,
		       uint64_t usec)
{
	unsigned int caplen = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	uint8_t rec[16];
	int ret;

	put_le32(rec, (uint32_t)(usec / 1000000u));
	put_le32(rec + 4, (uint32_t)(usec % 1000000u));
	put_le32(rec + 8, caplen);
	put_le32(rec + 12, len);
	ret = write_all(f, rec, sizeof(rec));
	if (ret == 0)
		ret = write_all(f, frame, caplen);
	return ret;
}
