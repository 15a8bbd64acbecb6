/**
 * A test's values over time on a canvas: the reference band shaded, the line, each point
 * marked (a high or low point is drawn larger, and the table under the chart says it in words).
 */
const platform = require('../../../platform/index')
const chart = require('../../services/chart')

const COLOURS = { band: '#e8f3ee', line: '#0b6e4f', point: '#0b6e4f', flagged: '#b3261e' }

Component({
  properties: { trend: { type: Object, value: null } },
  data: { drawn: false },
  observers: {
    trend(trend) {
      if (trend) this.draw(trend)
    },
  },
  methods: {
    async draw(trend) {
      const canvas = await platform.canvas2d(this, '#trend-canvas')
      if (!canvas) return // an old host without canvas 2d: the table below still shows every value
      const { ctx, width, height } = canvas
      const shape = chart.geometry(trend, width, height)
      ctx.clearRect(0, 0, width, height)
      if (shape.band) {
        ctx.fillStyle = COLOURS.band
        ctx.fillRect(0, shape.band.top, width, shape.band.bottom - shape.band.top)
      }
      ctx.strokeStyle = COLOURS.line
      ctx.lineWidth = 2
      ctx.beginPath()
      shape.points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)))
      ctx.stroke()
      shape.points.forEach((p) => {
        ctx.fillStyle = p.high || p.low ? COLOURS.flagged : COLOURS.point
        ctx.beginPath()
        ctx.arc(p.x, p.y, p.high || p.low ? 6 : 4, 0, 2 * Math.PI)
        ctx.fill()
      })
      this.setData({ drawn: true })
    },
  },
})
