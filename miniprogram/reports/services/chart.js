/**
 * The trend chart's geometry, apart from drawing (so it is tested without a canvas): where each
 * point, the line and the reference band go in a `width` × `height` box with `pad` margins.
 */
function scale(values, bandLow, bandHigh) {
  const all = values.concat([bandLow, bandHigh].filter((v) => v !== null && v !== undefined))
  let low = Math.min(...all)
  let high = Math.max(...all)
  if (low === high) {
    low -= 1
    high += 1
  }
  const margin = (high - low) * 0.1
  return { low: low - margin, high: high + margin }
}

function geometry(trend, width, height, pad = 24) {
  const values = trend.points.map((p) => p.value)
  if (!values.length) return { points: [], band: null, ticks: [] }
  const { low, high } = scale(values, trend.band_low, trend.band_high)
  const y = (v) => pad + (height - 2 * pad) * (1 - (v - low) / (high - low))
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0
  const points = trend.points.map((p, i) => ({
    x: values.length > 1 ? pad + i * step : width / 2,
    y: y(p.value),
    value: p.value,
    high: p.flag === 'H' || p.flag === 'HH',
    low: p.flag === 'L' || p.flag === 'LL',
  }))
  const hasLow = trend.band_low !== null && trend.band_low !== undefined
  const hasHigh = trend.band_high !== null && trend.band_high !== undefined
  const band = hasLow || hasHigh
    ? { top: hasHigh ? y(trend.band_high) : pad, bottom: hasLow ? y(trend.band_low) : height - pad }
    : null
  return { points, band, ticks: [{ y: y(high - (high - low) * 0.1), value: high }, { y: y(low), value: low }] }
}

module.exports = { geometry, scale }
