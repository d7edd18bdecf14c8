// The Leaflet map: our GeoJSON only (no tiles), drawn on one canvas because England has thousands
// of practices. Commissioner boundaries are thin dark outlines, network areas are filled with a colour
// that follows from the network's code, practices are circles sized by the square root of their list.

/* global L */
import { num } from './fmt.js';

/** A stable colour for a network code (FNV-1a hash to a hue). */
export function networkColour(code) {
  let x = 0x811c9dc5;
  for (const ch of String(code)) {
    x ^= ch.charCodeAt(0);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  // Finalise (murmur3 fmix32) so that neighbouring codes get far-apart colours.
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  const hue = x % 360;
  const sat = 50 + ((x >>> 9) % 25);
  const light = 52 + ((x >>> 17) % 16);
  return `hsl(${hue} ${sat}% ${light}%)`;
}

/** A practice's circle: area in proportion to its list, smaller when the whole country is in view. */
export function practiceRadius(list, zoom = 10) {
  const scale = zoom >= 10 ? 1 : zoom >= 8 ? 0.75 : 0.42;
  return Math.max(zoom >= 8 ? 2.5 : 1.2, (Math.sqrt(Math.max(0, Number(list) || 0)) / 22) * scale);
}

const ENGLAND = L.latLngBounds([49.9, -6.4], [55.9, 1.8]);

export class MapView {
  /**
   * @param {HTMLElement} el
   * @param {{onPractice?: Function, onNetwork?: Function, label?: string}} opts
   */
  constructor(el, opts = {}) {
    this.el = el;
    this.opts = opts;
    this.renderer = L.canvas({ padding: 0.3, tolerance: 3 });
    this.map = L.map(el, {
      preferCanvas: true,
      renderer: this.renderer,
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      minZoom: 5,
      maxZoom: 16,
      attributionControl: false,
      keyboard: true,
    });
    this.map.fitBounds(ENGLAND);
    this.base = L.layerGroup().addTo(this.map);
    this.overlay = L.layerGroup().addTo(this.map);
    this.homes = L.layerGroup().addTo(this.map); // care homes of one network, when asked
    this.networks = new Map(); // code -> {layer, props}
    this.practices = new Map(); // code -> {layer, props}
    this.commissioners = new Map();
    this.bounds = null;
    this.heads = []; // arrow heads to redraw when the zoom changes
    this.map.on('zoomend', () => {
      this.redrawHeads();
      this.resizePractices();
    });
    // Whether the view is moving (fly animations), for people's tools and tests alike.
    this.map.on('movestart zoomstart', () => (el.dataset.moving = 'true'));
    this.map.on('moveend', () => (el.dataset.moving = 'false'));
    el.setAttribute('role', 'region');
    if (opts.label) el.setAttribute('aria-label', opts.label);
  }

  /** Draw a FeatureCollection from /api/geojson, replacing what was drawn. */
  load(fc) {
    this.base.clearLayers();
    this.overlay.clearLayers();
    this.homes.clearLayers();
    this.networks.clear();
    this.practices.clear();
    this.commissioners.clear();
    const feats = (fc && fc.features) || [];
    const of = (kind) => feats.filter((f) => f.properties && f.properties.kind === kind && f.geometry);

    const nets = L.geoJSON(of('network'), {
      renderer: this.renderer,
      style: (f) => ({
        color: '#ffffff',
        weight: 0.6,
        opacity: 0.9,
        fillColor: networkColour(f.properties.code),
        fillOpacity: 0.5,
      }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        this.networks.set(p.code, { layer, props: p });
        layer.bindTooltip(
          () =>
            `<strong>${escapeHtml(p.name || p.code)}</strong><br>${escapeHtml(p.code)} · ${escapeHtml(p.commissioner || '')}` +
            `<br>${num(p.practices)} practices · ${num(p.registered_patients)} patients`,
          { sticky: true, direction: 'top', className: 'pcn-tip' },
        );
        layer.on('click', (e) => {
          L.DomEvent.stopPropagation(e);
          this.opts.onNetwork && this.opts.onNetwork(p, e);
        });
      },
    });
    const comms = L.geoJSON(of('commissioner'), {
      renderer: this.renderer,
      interactive: false,
      style: () => ({ color: '#1f2a37', weight: 1.2, opacity: 0.85, fill: false }),
      onEachFeature: (f, layer) => this.commissioners.set(f.properties.code, { layer, props: f.properties }),
    });
    const pracs = L.geoJSON(of('practice'), {
      renderer: this.renderer,
      pointToLayer: (f, latlng) =>
        L.circleMarker(latlng, {
          renderer: this.renderer,
          radius: practiceRadius(f.properties.registered_patients, this.map.getZoom()),
          color: '#1f2a37',
          weight: 0.8,
          fillColor: '#ffffff',
          fillOpacity: 0.9,
        }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        this.practices.set(p.code, { layer, props: p });
        layer.bindTooltip(
          () =>
            `<strong>${escapeHtml(p.name || p.code)}</strong><br>${escapeHtml(p.code)} · network ${escapeHtml(p.network || 'none')}` +
            `<br>list ${num(p.registered_patients)}`,
          { direction: 'top', offset: [0, -4], className: 'pcn-tip' },
        );
        layer.on('click', (e) => {
          L.DomEvent.stopPropagation(e);
          this.opts.onPractice && this.opts.onPractice(p, e);
        });
      },
    });
    nets.addTo(this.base);
    comms.addTo(this.base);
    pracs.addTo(this.base);
    const b = L.latLngBounds([]);
    for (const g of [comms, nets, pracs]) {
      const gb = g.getBounds();
      if (gb.isValid()) b.extend(gb);
    }
    this.bounds = b.isValid() ? b : ENGLAND;
    this.map.fitBounds(this.bounds, { padding: [10, 10] });
    this.band = null;
    this.resizePractices();
    this.el.dataset.networks = String(this.networks.size);
    this.el.dataset.practices = String(this.practices.size);
    this.el.dataset.commissioners = String(this.commissioners.size);
    this.el.dataset.ready = 'true';
  }

  /**
   * Show one ICB's networks, practices and commissioner areas (by their `icb` property) and fade the
   * rest; `null` shows everything again. Fits the view to the ICB.
   */
  showIcb(code) {
    const inIcb = (p) => !code || p.icb === code;
    const b = L.latLngBounds([]);
    let networks = 0;
    for (const { layer, props } of this.networks.values()) {
      const on = inIcb(props);
      layer.setStyle({ fillOpacity: on ? 0.5 : 0.06, opacity: on ? 0.9 : 0.15 });
      if (on && code) {
        networks++;
        b.extend(layer.getBounds());
      }
    }
    for (const { layer, props } of this.practices.values()) {
      const on = inIcb(props);
      layer.setStyle({ opacity: on ? 1 : 0.15, fillOpacity: on ? 0.9 : 0.1 });
    }
    for (const { layer, props } of this.commissioners.values()) layer.setStyle({ opacity: inIcb(props) ? 0.85 : 0.15 });
    this.el.dataset.icb = code || '';
    this.el.dataset.icbNetworks = String(code ? networks : this.networks.size);
    if (code && b.isValid()) this.map.fitBounds(b, { padding: [10, 10] });
    else if (!code && this.bounds) this.map.fitBounds(this.bounds, { padding: [10, 10] });
  }

  resizePractices() {
    const z = this.map.getZoom();
    const band = z >= 10 ? 2 : z >= 8 ? 1 : 0;
    if (band === this.band) return;
    this.band = band;
    const weight = band === 0 ? 0.5 : 0.8;
    for (const { layer, props } of this.practices.values()) {
      layer.options.weight = weight;
      layer.setRadius(practiceRadius(props.registered_patients, z));
    }
  }

  /** Where a practice or network is drawn, in pixels from the map's top left (for tests and tooling). */
  pointOf(kind, code) {
    const entry = (kind === 'practice' ? this.practices : this.networks).get(code);
    if (!entry) return null;
    const ll = kind === 'practice' ? entry.layer.getLatLng() : this.centreOf(code);
    const pt = this.map.latLngToContainerPoint(ll);
    return { x: pt.x, y: pt.y };
  }

  /** A point inside a network: the mean of its members' positions, else its bounds' centre. */
  centreOf(code) {
    let lat = 0,
      lng = 0,
      n = 0;
    for (const { layer, props } of this.practices.values()) {
      if (props.network === code) {
        const ll = layer.getLatLng();
        lat += ll.lat;
        lng += ll.lng;
        n++;
      }
    }
    if (n) return L.latLng(lat / n, lng / n);
    const e = this.networks.get(code);
    return e ? e.layer.getBounds().getCenter() : null;
  }

  clearOverlay() {
    this.overlay.clearLayers();
    this.heads = [];
  }

  /** Outline a network and zoom to it. */
  focusNetwork(code, { zoom = true, keep = false } = {}) {
    if (!keep) this.clearOverlay();
    const e = this.networks.get(code);
    const bounds = L.latLngBounds([]);
    if (e) {
      L.geoJSON(e.layer.toGeoJSON(), {
        renderer: this.renderer,
        interactive: false,
        style: { color: '#111827', weight: 3, fill: false },
      }).addTo(this.overlay);
      bounds.extend(e.layer.getBounds());
    }
    for (const { layer, props } of this.practices.values()) {
      if (props.network === code) bounds.extend(layer.getLatLng());
    }
    if (zoom && bounds.isValid()) this.map.flyToBounds(bounds, { padding: [40, 40], maxZoom: 12, duration: 0.6 });
    return bounds.isValid();
  }

  /** Ring some practices (and zoom to them). */
  focusPractices(codes, { zoom = true, keep = false, colour = '#dc2626', maxZoom = 12 } = {}) {
    if (!keep) this.clearOverlay();
    const bounds = L.latLngBounds([]);
    for (const code of codes) {
      const e = this.practices.get(code);
      if (!e) continue;
      const ll = e.layer.getLatLng();
      L.circleMarker(ll, {
        renderer: this.renderer,
        interactive: false,
        radius: e.layer.options.radius + 5,
        color: colour,
        weight: 3,
        fill: false,
      }).addTo(this.overlay);
      bounds.extend(ll);
    }
    if (zoom && bounds.isValid()) this.map.flyToBounds(bounds, { padding: [60, 60], maxZoom, duration: 0.6 });
    return bounds.isValid();
  }

  /** Show a practice by its position (used when the practice came from search). */
  focusPoint(lat, lon, zoom = 12) {
    this.map.flyTo([lat, lon], zoom, { duration: 0.6 });
  }

  /** Draw suggested moves: a ring on each practice and an arrow to the network it would join. */
  drawMoves(moves, { zoom = true } = {}) {
    this.clearOverlay();
    const bounds = L.latLngBounds([]);
    for (const m of moves) {
      const e = this.practices.get(m.practice);
      const from = e ? e.layer.getLatLng() : m.lat != null && m.lon != null ? L.latLng(m.lat, m.lon) : null;
      if (!from) continue;
      bounds.extend(from);
      L.circleMarker(from, {
        renderer: this.renderer,
        interactive: false,
        radius: (e ? e.layer.options.radius : 4) + 5,
        color: '#b91c1c',
        weight: 3,
        fill: false,
      }).addTo(this.overlay);
      const to = m.to ? this.centreOf(m.to) : null;
      if (to && !to.equals(from)) {
        bounds.extend(to);
        this.arrow(from, to, networkColour(m.to)).addTo(this.overlay);
      }
    }
    if (zoom && bounds.isValid()) this.map.flyToBounds(bounds, { padding: [60, 60], maxZoom: 12, duration: 0.6 });
  }

  arrow(from, to, colour) {
    const g = L.layerGroup();
    const line = { renderer: this.renderer, interactive: false, color: '#111827', weight: 4, opacity: 0.9 };
    const inner = { ...line, color: colour, weight: 2.2, opacity: 1 };
    // Stop short of the target's centre so that arrows into one network do not pile up on one point.
    to = L.latLng(from.lat + (to.lat - from.lat) * 0.9, from.lng + (to.lng - from.lng) * 0.9);
    const headOuter = L.polyline(this.headOf(from, to), line);
    const headInner = L.polyline(this.headOf(from, to), inner);
    L.polyline([from, to], line).addTo(g);
    headOuter.addTo(g);
    L.polyline([from, to], inner).addTo(g);
    headInner.addTo(g);
    this.heads.push({ from, to, layers: [headOuter, headInner] });
    return g;
  }

  /** An arrow head 11 px long at `to`, worked out in pixels so that it looks the same at every zoom. */
  headOf(from, to) {
    const a = this.map.latLngToLayerPoint(from);
    const b = this.map.latLngToLayerPoint(to);
    const ang = Math.atan2(b.y - a.y, b.x - a.x);
    const size = Math.min(11, a.distanceTo(b) * 0.5);
    const wing = (d) => this.map.layerPointToLatLng(L.point(b.x - size * Math.cos(ang + d), b.y - size * Math.sin(ang + d)));
    return [wing(0.5), to, wing(-0.5)];
  }

  redrawHeads() {
    for (const h of this.heads) for (const l of h.layers) l.setLatLngs(this.headOf(h.from, h.to));
  }

  /**
   * Draw care homes (the profile's list: {location_id, name, beds, lat, lon, …}) as squares sized by
   * beds, replacing any drawn before, and bring them into view with their network.
   */
  showCareHomes(network, homes) {
    this.homes.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const x of homes) {
      const at = L.latLng(x.lat, x.lon);
      const half = Math.min(9, 3 + Math.sqrt(x.beds) / 1.5);
      const icon = L.divIcon({ className: 'care-home-marker', iconSize: [half * 2, half * 2] });
      L.marker(at, { icon, keyboard: false, title: `${x.name}: ${x.beds} beds` })
        .bindTooltip(`<b>${escapeHtml(x.name)}</b><br>${x.beds} beds${x.nursing ? ', with nursing' : ''}<br>nearest practice ${escapeHtml(x.nearest_practice)} (${Number(x.distance_km).toFixed(1)} km)`)
        .addTo(this.homes);
      bounds.extend(at);
    }
    this.el.dataset.careHomes = String(homes.length);
    this.el.dataset.careHomesNetwork = network;
    const net = this.networks.get(network);
    if (net && net.layer.getBounds) bounds.extend(net.layer.getBounds());
    if (bounds.isValid()) this.map.flyToBounds(bounds, { padding: [40, 40], maxZoom: 13, duration: 0.6 });
  }

  invalidate() {
    this.map.invalidateSize();
  }

  /** Keep two maps showing the same place. */
  static sync(a, b) {
    let busy = false;
    const follow = (src, dst) => () => {
      if (busy) return;
      busy = true;
      dst.map.setView(src.map.getCenter(), src.map.getZoom(), { animate: false });
      busy = false;
    };
    a.map.on('move', follow(a, b));
    b.map.on('move', follow(b, a));
  }
}

export function escapeHtml(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
