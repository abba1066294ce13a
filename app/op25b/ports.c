/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up: one RX and one TX queue per worker on every port, RSS when
 * there is more than one worker and the port can spread flows, and every
 * port sized for --max-pkt-len: its MTU, and chains of mbufs (RX scatter,
 * TX multi-segment) when a frame does not fit one mbuf.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include <pcap/pcap.h>
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pci.h>

#include "op25b_app.h"

static const char *
port_name(uint16_t port, char *buf, size_t size)
{
	if (rte_eth_dev_get_name_by_port(port, buf) != 0)
		snprintf(buf, size, "port%u", port);
	return buf;
}

/* The kvargs callback of bond_of(): is this member @value the port? */
struct bond_member {
	uint16_t port;
	bool found;
};

/* A member as the bonding PMD reads one: a PCI address (short or
 * long), a port's name, or a port id. */
static int
is_member(const char *key, const char *value, void *arg)
{
	struct bond_member *m = arg;
	struct rte_pci_addr pci;
	char name[RTE_ETH_NAME_MAX_LEN];
	char *end;
	unsigned long id;
	uint16_t port;

	(void)key;
	if (rte_pci_addr_parse(value, &pci) == 0) {
		rte_pci_device_name(&pci, name, sizeof(name));
		value = name;
	}
	if (rte_eth_dev_get_port_by_name(value, &port) == 0) {
		m->found |= port == m->port;
		return 0;
	}
	errno = 0;
	id = strtoul(value, &end, 10);
	m->found |= errno == 0 && end != value && *end == '\0' && id == m->port;
	return 0;
}

/*
 * The bond (a net_bonding port) whose devargs name @port a member
 * (`slave=NAME`, DPDK 22.11's key), or RTE_MAX_ETHPORTS when none does.
 * A bond adds its members only when it is configured, so nothing else
 * says so before op25b sets its ports up: a member in --pairs was set up
 * as a port of its own, beside the bond polling the same queue (frames
 * split between the two), or refused as "busy" when the bond came first.
 */
static uint16_t
bond_of(uint16_t port)
{
	uint16_t bond;

	RTE_ETH_FOREACH_DEV (bond) {
		struct rte_eth_dev_info info;
		const struct rte_devargs *da;
		struct bond_member m = { .port = port };
		struct rte_kvargs *kv;

		if (bond == port || rte_eth_dev_info_get(bond, &info) != 0 ||
		    info.driver_name == NULL ||
		    strcmp(info.driver_name, "net_bonding") != 0 ||
		    info.device == NULL)
			continue;
		da = rte_dev_devargs(info.device);
		if (da == NULL || da->args == NULL)
			continue;
		kv = rte_kvargs_parse(da->args, NULL);
		if (kv == NULL)
			continue;
		rte_kvargs_process(kv, "slave", is_member, &m);
		rte_kvargs_free(kv);
		if (m.found)
			return bond;
	}
	return RTE_MAX_ETHPORTS;
}

/*
 * A probed port that no pair names passes nothing, silently: said once at
 * start (an operator who added a NIC, or a bond, and not --pairs). A bond's
 * member is the bond's to run and is not named.
 */
static void
warn_unpaired(const struct op25b_app *app)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port;
	unsigned int k;

	RTE_ETH_FOREACH_DEV (port) {
		for (k = 0; k < app->n_ports && app->ports[k] != port; k++)
			;
		if (k < app->n_ports || bond_of(port) != RTE_MAX_ETHPORTS)
			continue;
		fprintf(stderr,
			"op25b: warning: port %u (%s) is in no pair: it passes "
			"nothing (--pairs names the ports op25b runs)\n",
			port, port_name(port, name, sizeof(name)));
	}
}

/* Every port named in --pairs must exist, appear once and be no bond's
 * member. */
int
op25b_ports_check(struct op25b_app *app)
{
	const struct op25b_config *cfg = &app->config;
	unsigned int i, j;

	app->n_ports = 0;
	for (i = 0; i < cfg->n_pairs; i++) {
		uint16_t ends[2] = { cfg->pairs[i].sub, cfg->pairs[i].up };

		for (j = 0; j < 2; j++) {
			unsigned int k;
			uint16_t bond;

			if (!rte_eth_dev_is_valid_port(ends[j])) {
				/* Linked statically, op25b has only its own
				 * drivers: a NIC of another (bnxt, sfc, ena)
				 * is never probed, and the dpdk package's
				 * plugins cannot help. */
				fprintf(stderr,
					"op25b: port %u does not exist (%u "
					"ports found; add --vdev or bind a NIC%s)\n",
					ends[j], rte_eth_dev_count_avail(),
#ifdef OP25B_BUILT_IN_DRIVERS
					"; NIC drivers built in: " OP25B_BUILT_IN_DRIVERS
					", no others"
#else
					""
#endif
				);
				return -ENODEV;
			}
			if (ends[j] >= OP25B_MAX_PORTS) {
				fprintf(stderr,
					"op25b: port %u: ids above %u are not "
					"supported\n",
					ends[j], OP25B_MAX_PORTS - 1);
				return -EINVAL;
			}
			for (k = 0; k < app->n_ports; k++) {
				if (app->ports[k] == ends[j]) {
					fprintf(stderr,
						"op25b: port %u is used twice in "
						"--pairs\n",
						ends[j]);
					return -EINVAL;
				}
			}
			port_name(ends[j], app->port_names[app->n_ports],
				  sizeof(app->port_names[0]));
			bond = bond_of(ends[j]);
			if (bond != RTE_MAX_ETHPORTS) {
				char bond_name[RTE_ETH_NAME_MAX_LEN];

				fprintf(stderr,
					"op25b: port %u (%s) is a member of "
					"bond port %u (%s): name the bond in "
					"--pairs, not its members\n",
					ends[j], app->port_names[app->n_ports],
					bond,
					port_name(bond, bond_name,
						  sizeof(bond_name)));
				return -EINVAL;
			}
			app->link_seen[app->n_ports] = -1;
			app->ports[app->n_ports++] = ends[j];
		}
	}
	warn_unpaired(app);
	return 0;
}

/* What a frame may add to the MTU when the PMD does not say: Ethernet
 * header, CRC and two VLAN tags (l3fwd counts no tags; a QinQ access
 * network has two): the longest frame a port takes. The MTU it gets is
 * N less header and CRC alone, so that an untagged frame of N passes. */
#define FRAME_OVERHEAD                                                         \
	(RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN)

/*
 * The MTU of frames up to @frame bytes: less the PMD's @overhead when it
 * reports one; else less header and CRC alone (@checked), so that an
 * untagged frame of that length passes too (less two tags' room as well
 * was a black hole: --max-pkt-len 1518 gave af_packet's kernel interface
 * MTU 1492, and 1514-byte frames never arrived), up to the port's
 * @max_mtu (a frame above it is taken for a tagged one: 1526 on
 * af_packet, MTU 1500).
 */
static uint32_t
mtu_of(bool reported, uint32_t frame, uint32_t overhead, uint32_t checked,
       uint32_t max_mtu)
{
	return reported ? frame - overhead : RTE_MIN(frame - checked, max_mtu);
}

/* What a vdev does that its dev_info does not say (DPDK 22.11: read in
 * drivers/net and measured here; see doc/design.md, "Frame sizes"). */
static const struct port_quirk {
	const char *driver;
	uint32_t max_frame; /* the longest frame it passes whole */
	bool chains;	    /* chains long frames whatever its offload flags */
	bool tx_whole;	    /* sends (or frees) a chain whole, unadvertised */
} port_quirks[] = {
	/* RX reads a frame longer than the data room into a chain
	 * (eth_pcap_rx_jumbo) whatever the MTU; TX copies a chain into a
	 * 16,128-byte buffer (RTE_ETH_PCAP_SNAPLEN) and writes a longer frame
	 * cut. It advertises neither scatter nor multi-segment. */
	{ "net_pcap", 16128, true, true },
	/* TX frees what it is given, a chain whole (rte_pktmbuf_free). */
	{ "net_null", UINT32_MAX, false, true },
};

static const struct port_quirk *
port_quirk(const struct rte_eth_dev_info *info)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(port_quirks); i++)
		if (info->driver_name != NULL &&
		    strcmp(info->driver_name, port_quirks[i].driver) == 0)
			return &port_quirks[i];
	return NULL;
}

/* The mbufs @frame bytes take. */
static unsigned int
segments_of(const struct op25b_config *cfg, uint32_t frame)
{
	uint32_t room = cfg->mbuf_size - RTE_PKTMBUF_HEADROOM;

	return (frame + room - 1) / room;
}

unsigned int
op25b_ports_segments(const struct op25b_config *cfg)
{
	return segments_of(cfg, cfg->max_pkt_len);
}

unsigned int
op25b_ports_rx_segments(const struct op25b_config *cfg)
{
	return segments_of(cfg, cfg->max_pkt_len + 2 * RTE_VLAN_HLEN);
}

/* How one port takes --max-pkt-len: its MTU and the offloads a chain
 * needs. */
struct port_fit {
	uint16_t mtu;
	uint64_t rx_offloads;
	uint64_t tx_offloads;
	bool rx_chains;	       /* its RX may hand the workers chains of mbufs */
	bool rx_chains_always; /* ... because its driver chains any frame
				* longer than the data room (net_pcap) */
	bool rx_external;      /* its RX may hand external-buffer mbufs */
	bool tx_chains;	       /* its TX sends chains whole */
	uint64_t tx_capa;      /* the TX offloads it offers */
};

/*
 * Whether the port's RX may hand mbufs attached to the driver's own
 * buffers: mlx5 with Multi-Packet RQ (devarg mprq_en, a common tuning)
 * delivers longer packets so, and turns fast free off for itself
 * (mlx5_txq.c); a peer's fast free would put such an mbuf back in the
 * pool still attached, the stride never released. Read from the devargs,
 * whatever the driver calls itself.
 */
static bool
rx_external_buffers(const struct rte_eth_dev_info *info)
{
	const struct rte_devargs *da =
		info->device != NULL ? rte_dev_devargs(info->device) : NULL;
	struct rte_kvargs *kv;
	const char *mprq;
	bool on;

	if (da == NULL || da->args == NULL ||
	    strstr(da->args, "mprq_en") == NULL)
		return false;
	kv = rte_kvargs_parse(da->args, NULL);
	if (kv == NULL)
		return true; /* unreadable: assume the worst */
	mprq = rte_kvargs_get(kv, "mprq_en");
	on = mprq != NULL && strcmp(mprq, "0") != 0;
	rte_kvargs_free(kv);
	return on;
}

/* Works out @fit from what the PMD reports, before anything is configured,
 * so that a port that cannot take the size is refused with one line saying
 * what it takes rather than by a driver log. */
static int
port_fit(const struct op25b_config *cfg, uint16_t port, const char *name,
	 const struct rte_eth_dev_info *info, struct port_fit *fit)
{
	const struct port_quirk *quirk = port_quirk(info);
	uint32_t frame = cfg->max_pkt_len;
	uint32_t room = cfg->mbuf_size - RTE_PKTMBUF_HEADROOM;
	unsigned int segs = op25b_ports_segments(cfg);
	uint32_t overhead, checked, max_mtu, takes;
	bool reported = info->max_mtu != UINT16_MAX &&
			info->max_rx_pktlen > info->max_mtu;

	/* l3fwd's rule for the MTU a frame length implies. ethdev checks
	 * MTU + overhead against max_rx_pktlen with its own overhead (14 +
	 * 4) when the PMD reports none: the largest MTU is what both
	 * allow. */
	overhead = reported ? info->max_rx_pktlen - info->max_mtu
			    : FRAME_OVERHEAD;
	checked = reported ? overhead : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	max_mtu = info->max_mtu;
	if (info->max_rx_pktlen < checked)
		max_mtu = 0;
	else if (info->max_rx_pktlen - checked < max_mtu)
		max_mtu = info->max_rx_pktlen - checked;
	takes = max_mtu + overhead;
	if (quirk != NULL && quirk->max_frame < takes)
		takes = quirk->max_frame;
	/* frame < overhead first: a driver whose max_mtu is a configured MTU
	 * (virtio with VIRTIO_NET_F_MTU) reports an overhead larger than a
	 * standard frame, and the subtraction below would wrap. */
	if (frame > takes || frame < overhead ||
	    frame - overhead < info->min_mtu) {
		fprintf(stderr,
			"op25b: port %u (%s): --max-pkt-len %u is %s than the "
			"%u bytes this port takes (MTU %u)\n",
			port, name, frame, frame > takes ? "more" : "less",
			frame > takes ? takes : info->min_mtu + overhead,
			frame > takes ? mtu_of(reported, takes, overhead,
					       checked, max_mtu)
				      : info->min_mtu);
		return -EINVAL;
	}
	fit->mtu =
		(uint16_t)mtu_of(reported, frame, overhead, checked, max_mtu);
	fit->rx_offloads = 0;
	fit->tx_offloads = 0;
	fit->tx_capa = info->tx_offload_capa;
	fit->tx_chains =
		(info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0 ||
		(quirk != NULL && quirk->tx_whole);
	/* Some PMDs chain a long frame whatever the MTU (net_pcap), others
	 * turn scattered RX on by themselves when a frame plus a QinQ
	 * allowance nears the data room: fast free is judged over every
	 * port afterwards, from this. */
	fit->rx_chains_always = quirk != NULL && quirk->chains;
	fit->rx_chains = (quirk != NULL && quirk->chains) ||
			 op25b_ports_rx_segments(cfg) > 1;
	fit->rx_external = rx_external_buffers(info);
	if (segs == 1) {
		/* Every mbuf is then one segment, from one pool, with a
		 * reference count of 1: the worker never clones, a blocked
		 * SYN becomes its RST in place and stays one segment, and
		 * upstream frames pass as they came. That is what fast free
		 * requires. A chain is not: fast free returns an mbuf to its
		 * pool as it is, with its next pointer and segment count,
		 * which the pool's invariant (next NULL, one segment)
		 * forbids. */
		if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
			fit->tx_offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
		return 0;
	}
	if (quirk != NULL && quirk->chains)
		return 0;
	if (!(info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) ||
	    !(info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
		fprintf(stderr,
			"op25b: port %u (%s): a %u-byte frame does not fit one "
			"mbuf (--mbuf-size %u holds %u) and this port cannot "
			"chain mbufs: it takes --mbuf-size %u or more\n",
			port, name, frame, cfg->mbuf_size, room,
			frame + RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	if (info->tx_desc_lim.nb_mtu_seg_max != 0 &&
	    segs > info->tx_desc_lim.nb_mtu_seg_max) {
		fprintf(stderr,
			"op25b: port %u (%s): a %u-byte frame takes %u mbufs "
			"of --mbuf-size %u and this port sends at most %u: "
			"give a larger --mbuf-size\n",
			port, name, frame, segs, cfg->mbuf_size,
			info->tx_desc_lim.nb_mtu_seg_max);
		return -EINVAL;
	}
	fit->rx_offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	fit->tx_offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return 0;
}

/*
 * net_pcap reads its rx_pcap captures itself; op25b reads them first
 * (regular files only: a FIFO is the PMD's to read) for what DPDK 22.11's
 * net_pcap gets wrong, and refuses in its own words before the PMD is
 * asked:
 * - A frame longer than 65,535 bytes (a host's capture of GRO or BIG TCP
 *   packets, which no Ethernet link carries) is read into a chain of
 *   mbufs that may hold less than its length (eth_pcap_rx_jumbo() takes
 *   a 16-bit length, which wraps) under the whole length: whoever sends it
 *   reads past the chain's end (a crash in net_pcap's own TX).
 *   op25b-policy replay skips such frames; op25b refuses the capture, and
 *   editcap -s 65535 cuts them. A capture it cannot read ahead (a FIFO)
 *   gets pcap_chain_trim() on its queues instead.
 * - With infinite_rx=1 each RX queue's capture is read whole into mbufs
 *   of our pool when the queue is set up, one single-segment mbuf per
 *   frame (eth_rx_queue_setup), and kept for the life of the port. When
 *   the pool is short or a frame needs a chain, the setup fails with
 *   EINVAL and leaves the PMD pointing at a ring it has freed, which it
 *   frees again when the EAL closes the device at exit ("RING: Cannot
 *   free ring"). op25b says which --mbufs or --mbuf-size works.
 */
#define PCAP_FRAME_MAX 65535u

struct capture_need {
	uint16_t queues;     /* RX queues op25b sets up */
	uint16_t seen;	     /* rx_pcap values seen */
	uint64_t frames;     /* in the captures of those queues */
	uint32_t longest;    /* caplen of the longest frame */
	uint64_t over;	     /* frames longer than PCAP_FRAME_MAX */
	bool unread;	     /* a capture not read ahead (not a file) */
	uint64_t first_over; /* the first of them, 1 for a capture's first */
	uint32_t first_over_len;
	const char *first_over_path;
};

static int
count_capture(const char *key, const char *path, void *opaque)
{
	struct capture_need *need = opaque;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct stat st;
	uint64_t frame = 0;
	pcap_t *pcap;

	RTE_SET_USED(key);
	if (need->seen++ >= need->queues)
		return 0;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		need->unread = true;
		return 0;
	}
	pcap = pcap_open_offline(path, errbuf);
	if (pcap == NULL) {
		/* The PMD says it better when it opens the file. */
		return 0;
	}
	while (pcap_next_ex(pcap, &hdr, &data) == 1) {
		frame++;
		if (hdr->caplen > need->longest)
			need->longest = hdr->caplen;
		if (hdr->caplen > PCAP_FRAME_MAX && need->over++ == 0) {
			need->first_over = frame;
			need->first_over_len = hdr->caplen;
			need->first_over_path = path;
		}
	}
	need->frames += frame;
	pcap_close(pcap);
	return 0;
}

static int
check_captures(struct op25b_app *app, uint16_t port, const char *name,
	       const struct rte_eth_dev_info *info, uint16_t nq, bool *unread)
{
	const struct rte_devargs *da;
	struct capture_need need = { .queues = nq };
	struct rte_kvargs *kv;
	const char *inf;
	bool infinite;
	uint32_t room = app->config.mbuf_size - RTE_PKTMBUF_HEADROOM;
	unsigned int avail, size;
	int ret = 0;

	if (strcmp(info->driver_name, "net_pcap") != 0 || info->device == NULL)
		return 0;
	da = rte_dev_devargs(info->device);
	if (da == NULL || da->args == NULL)
		return 0;
	kv = rte_kvargs_parse(da->args, NULL);
	if (kv == NULL)
		return 0;
	inf = rte_kvargs_get(kv, "infinite_rx");
	infinite = inf != NULL && strcmp(inf, "1") == 0;
	rte_kvargs_process(kv, "rx_pcap", count_capture, &need);
	*unread = need.unread;
	if (need.over > 0) {
		/* Before the devargs (which hold the path) are freed. */
		fprintf(stderr,
			"op25b: port %u (%s): %s has %" PRIu64
			" frame(s) longer than %u bytes (frame %" PRIu64
			": %u bytes; a host's GRO or BIG TCP packets, which no "
			"Ethernet link carries), which DPDK's net_pcap cannot "
			"read whole: cut them with editcap -s %u\n",
			port, name, need.first_over_path, need.over,
			PCAP_FRAME_MAX, need.first_over, need.first_over_len,
			PCAP_FRAME_MAX);
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	if (ret != 0 || !infinite)
		return ret;
	if (need.longest > room) {
		fprintf(stderr,
			"op25b: port %u (%s): infinite_rx keeps each frame in "
			"one mbuf, and the capture has a %u-byte frame "
			"(--mbuf-size %u holds %u): try --mbuf-size %u\n",
			port, name, need.longest, app->config.mbuf_size, room,
			need.longest + RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	avail = rte_mempool_avail_count(app->pool);
	size = app->pool->size;
	if (need.frames <= avail)
		return 0;
	/* What the pool holds for running, plus the captures for good. */
	fprintf(stderr,
		"op25b: port %u (%s): infinite_rx keeps its capture in mbufs "
		"of the pool, one a frame: %" PRIu64 " frames, and the pool "
		"has %u (of %u) free: try --mbufs %" PRIu64 "\n",
		port, name, need.frames, avail, size, size + need.frames);
	return -ENOBUFS;
}

/*
 * On the queues of a net_pcap port with a capture op25b could not read
 * ahead (a FIFO): a frame's length made what its mbufs hold, so that one
 * over 65,535 bytes is judged and sent with the bytes net_pcap copied (cut
 * short, as libpcap cuts a record at a capture's snap length, or whole
 * where the count wrapped past its end), never read past them. The
 * 16-bit count net_pcap copies by may also wrap to 0 after the first
 * mbuf (a frame of k * 65,536 bytes plus the data room): one mbuf then
 * says the whole length. A NIC's port never gets this.
 */
static uint16_t
pcap_chain_trim(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n, uint16_t max, void *arg)
{
	uint16_t i;

	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(max);
	RTE_SET_USED(arg);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		uint32_t held = 0;
		uint16_t segs = 0;

		if (m->next == NULL) {
			m->pkt_len = m->data_len;
			continue;
		}
		for (seg = m; seg != NULL; seg = seg->next) {
			held += seg->data_len;
			segs++;
		}
		m->pkt_len = held;
		m->nb_segs = segs;
	}
	return n;
}

static int
port_start(struct op25b_app *app, uint16_t port, const struct port_fit *fit)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = OP25B_RX_DESC, nb_txd = OP25B_TX_DESC;
	uint16_t q, nq = (uint16_t)app->n_workers;
	char name[RTE_ETH_NAME_MAX_LEN];
	bool unread = false;
	int socket, ret;

	port_name(port, name, sizeof(name));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		goto fail;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		fprintf(stderr,
			"op25b: port %u (%s) has %u RX / %u TX queues; %u "
			"workers need one each: use fewer lcores\n",
			port, name, info.max_rx_queues, info.max_tx_queues, nq);
		return -EINVAL;
	}
	conf.rxmode.mtu = fit->mtu;
	conf.rxmode.offloads = fit->rx_offloads;
	conf.txmode.offloads = fit->tx_offloads;
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP) &
			info.flow_type_rss_offloads;
	}
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	if (ret != 0)
		goto fail;
	/* Most PMDs apply rxmode.mtu when they start; some act only on an
	 * MTU set: net_af_packet sets its kernel interface's MTU (bounded by
	 * its ring frame, framesz), so that the kernel drops a longer frame
	 * at the door instead of the ring cutting it. Without the op
	 * (ENOTSUP: net_ring, net_null) rxmode.mtu is the MTU. */
	ret = rte_eth_dev_set_mtu(port, fit->mtu);
	if (ret != 0 && ret != -ENOTSUP) {
		fprintf(stderr,
			"op25b: port %u (%s): MTU %u (--max-pkt-len %u) refused "
			"by the driver: %s\n",
			port, name, fit->mtu, app->config.max_pkt_len,
			rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0)
		goto fail;
	socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = check_captures(app, port, name, &info, nq, &unread);
	if (ret != 0)
		return ret;
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, (unsigned)socket,
					     NULL, app->pool);
		if (ret != 0)
			goto fail;
		if (unread && rte_eth_add_rx_callback(port, q, pcap_chain_trim,
						      NULL) == NULL) {
			ret = -rte_errno;
			goto fail;
		}
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, (unsigned)socket,
					     NULL);
		if (ret != 0)
			goto fail;
	}
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		goto fail;
	/* Subscriber traffic is addressed to the next hop, not to us. Not
	 * every PMD has the notion (ENOTSUP is fine). */
	ret = rte_eth_promiscuous_enable(port);
	if (ret != 0 && ret != -ENOTSUP)
		fprintf(stderr, "op25b: port %u (%s): promiscuous mode: %s\n",
			port, name, rte_strerror(-ret));
	return 0;

fail:
	fprintf(stderr, "op25b: port %u (%s): set-up failed: %s\n", port, name,
		rte_strerror(-ret));
	return ret;
}

/*
 * Refuse port @i, which cannot send chains while some port may receive
 * them: which port, and what avoids it. A driver that chains any long
 * frame (net_pcap) wants another partner; a frame length within a QinQ
 * allowance of the data room (where NICs turn scatter on by themselves)
 * a shorter frame or a larger mbuf. (A frame that needs a chain outright
 * was refused already, by port_fit().)
 */
static int
refuse_chains(const struct op25b_app *app, const struct port_fit *fit,
	      unsigned int i)
{
	const struct op25b_config *cfg = &app->config;
	unsigned int k, from = i;

	for (k = 0; k < app->n_ports; k++)
		if (fit[k].rx_chains && (from == i || fit[k].rx_chains_always))
			from = k;
	if (fit[from].rx_chains_always)
		fprintf(stderr,
			"op25b: port %u (%s) cannot send chains of mbufs, "
			"which port %u (%s) hands over for any frame longer "
			"than the data room: pair it with a port that sends "
			"chains\n",
			app->ports[i], app->port_names[i], app->ports[from],
			app->port_names[from]);
	else
		fprintf(stderr,
			"op25b: port %u (%s) cannot send chains of mbufs, "
			"which port %u (%s) may hand over (--max-pkt-len %u "
			"is within %u bytes of --mbuf-size %u's data room, "
			"where drivers turn scatter on): give --max-pkt-len "
			"%u or less, or --mbuf-size %u or more\n",
			app->ports[i], app->port_names[i], app->ports[from],
			app->port_names[from], cfg->max_pkt_len,
			2 * RTE_VLAN_HLEN, cfg->mbuf_size,
			cfg->mbuf_size - RTE_PKTMBUF_HEADROOM -
				2 * RTE_VLAN_HLEN,
			cfg->max_pkt_len + 2 * RTE_VLAN_HLEN +
				RTE_PKTMBUF_HEADROOM);
	return -EINVAL;
}

int
op25b_ports_start(struct op25b_app *app)
{
	struct port_fit fit[OP25B_MAX_PORTS];
	char line[2048];
	size_t len = 0;
	bool any_chains = false, any_external = false;
	unsigned int i;
	int ret;

	/* Every port is judged before any is configured: a refusal leaves
	 * them all as they were. */
	for (i = 0; i < app->n_ports; i++) {
		struct rte_eth_dev_info info;
		const struct rte_bus *bus;

		ret = rte_eth_dev_info_get(app->ports[i], &info);
		if (ret != 0) {
			fprintf(stderr, "op25b: port %u (%s): %s\n",
				app->ports[i], app->port_names[i],
				rte_strerror(-ret));
			return ret;
		}
		ret = port_fit(&app->config, app->ports[i], app->port_names[i],
			       &info, &fit[i]);
		if (ret != 0)
			return ret;
		/* DPDK's note on rte_eth_rx_burst(): vector RX (ixgbe's and
		 * i40e's SSE paths round down to a multiple of 4; i40e's,
		 * ice's and iavf's AVX paths to 8) receives nothing below
		 * it. The vdevs take any burst. */
		bus = info.device != NULL ? rte_dev_bus(info.device) : NULL;
		if (app->config.burst % 8 != 0 && bus != NULL &&
		    strcmp(rte_bus_name(bus), "pci") == 0)
			fprintf(stderr,
				"op25b: warning: --burst %u: port %u (%s) is a "
				"PCI NIC, whose vector RX may round a burst "
				"down to a multiple of 4 or 8 and receive "
				"nothing below it: give a multiple of 8\n",
				app->config.burst, app->ports[i],
				app->port_names[i]);
		any_chains |= fit[i].rx_chains;
		any_external |= fit[i].rx_external;
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"%s%u (%s) MTU %u", i ? ", " : "",
					app->ports[i], app->port_names[i],
					fit[i].mtu);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	/* A port transmits what its pair's other port received: when any
	 * port may receive a chain, no port may fast-free, and every port
	 * sends chains. A NIC asked for no multi-segment TX picks a simple
	 * or vector path (ixgbe, i40e, ice) that sends the first segment
	 * and, freeing it, cuts the others off: a truncated frame out and
	 * mbufs lost to the pool; net_af_xdp copies pkt_len bytes from the
	 * first segment. A port that offers no multi-segment TX is refused,
	 * but for the vdevs known to send or free a chain whole (the
	 * quirks' tx_whole: net_pcap, net_null). */
	for (i = 0; any_chains && i < app->n_ports; i++) {
		fit[i].tx_offloads &= ~RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
		if (!fit[i].tx_chains)
			return refuse_chains(app, fit, i);
		/* Asked for where offered (the quirks' vdevs offer none). */
		if (fit[i].tx_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
			fit[i].tx_offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	/* Nor when any port may receive mbufs attached to its driver's
	 * buffers (rx_external_buffers()). */
	for (i = 0; any_external && i < app->n_ports; i++)
		fit[i].tx_offloads &= ~RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	for (i = 0; i < app->n_ports; i++) {
		ret = port_start(app, app->ports[i], &fit[i]);
		if (ret != 0) {
			/* The failed port too: its queues may hold mbufs
			 * of the pool (net_pcap's infinite_rx fills them at
			 * set-up), which main() frees next; closed later by
			 * the EAL's cleanup, it would free them into a pool
			 * that is gone. */
			do {
				rte_eth_dev_stop(app->ports[i]);
				rte_eth_dev_close(app->ports[i]);
			} while (i-- > 0);
			return ret;
		}
	}
	printf("op25b: ports %s; frames up to %u bytes in up to %u mbuf(s) "
	       "of %u\n",
	       line, app->config.max_pkt_len,
	       op25b_ports_segments(&app->config), app->config.mbuf_size);
	return 0;
}

/* How long a link may take to come up after start (a NIC negotiating)
 * before op25b says it is down; testpmd waits up to 9 s. */
#define LINK_SETTLE_S 5

/* A port's link that went up or down since the last sample, in the log:
 * an inline appliance with a link down passes no traffic. At start,
 * nothing is said of a link that comes up, and a link that is down is
 * said so once the start has settled (@settled). */
static void
log_link(struct op25b_app *app, unsigned int i,
	 const struct op25b_stats_port *p, bool settled)
{
	int8_t up = p->link_up != 0, seen = app->link_seen[i];

	if (seen < 0 && (up || !settled)) {
		if (up)
			app->link_seen[i] = 1;
		return;
	}
	app->link_seen[i] = up;
	if (up == seen)
		return;
	if (up)
		printf("op25b: port %u (%s): link up, %" PRIu64 " Mbps\n",
		       app->ports[i], app->port_names[i], p->link_speed_mbps);
	else
		printf("op25b: port %u (%s): link down\n", app->ports[i],
		       app->port_names[i]);
	fflush(stdout);
}

/* The drivers' own figures, into the shared-memory header (about once a
 * second, and at exit before the ports close). */
void
op25b_ports_publish_stats(struct op25b_app *app)
{
	struct op25b_stats_header *h = op25b_stats_writer_header(app->stats);
	struct op25b_stats_port figures[OP25B_STATS_MAX_PORTS];
	bool got[OP25B_STATS_MAX_PORTS];
	struct timespec now;
	unsigned int i;
	bool settled = rte_rdtsc() - app->start_tsc >=
		       LINK_SETTLE_S * rte_get_tsc_hz();

	/* The drivers asked first, then every port's figures and their time
	 * stored as one change of the snapshot's sequence lock: a reader
	 * (op25b-stat --watch's rates) never pairs a sample's figures with
	 * another sample's time, nor one port's new figures with another's
	 * old ones. */
	for (i = 0; i < app->n_ports && i < OP25B_STATS_MAX_PORTS; i++) {
		got[i] = op25b_port_figures(app->ports[i], &figures[i]) == 0;
		log_link(app, i, &figures[i], settled);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	op25b_stats_writer_layout_begin(app->stats);
	for (i = 0; i < app->n_ports && i < OP25B_STATS_MAX_PORTS; i++) {
		char *p = (char *)&h->ports[i];
		unsigned int k;

		/* Word by word, as readers load them; of a driver whose
		 * counters failed, the link alone (left at its zeroes, the
		 * port would read as down, and Op25bLinkDown fire). */
		for (k = 0; k < OP25B_PORT_DRIVER_FIELDS; k++) {
			const struct op25b_stats_field *f =
				&op25b_stats_port_driver_fields[k];

			if (!got[i] &&
			    f->offset != offsetof(struct op25b_stats_port,
						  link_up) &&
			    f->offset != offsetof(struct op25b_stats_port,
						  link_speed_mbps))
				continue;

			__atomic_store_n((uint64_t *)(p + f->offset),
					 op25b_stats_field_get(f, &figures[i]),
					 __ATOMIC_RELAXED);
		}
	}
	__atomic_store_n(&h->ports_updated_ns,
			 (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec,
			 __ATOMIC_RELAXED);
	op25b_stats_writer_layout_end(app->stats);
}

/* Closing is what completes a net_pcap TX file and returns RX ring mbufs. */
void
op25b_ports_stop(struct op25b_app *app)
{
	unsigned int i;

	for (i = 0; i < app->n_ports; i++) {
		rte_eth_dev_stop(app->ports[i]);
		rte_eth_dev_close(app->ports[i]);
	}
}
