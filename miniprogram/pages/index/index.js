/**
 * Home: one big way in ("说说哪里不舒服"), the journeys the backend serves, the hospital in
 * use, the 长辈模式 switch where older people will see it, and 120 for emergencies.
 */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const hospitals = require('../../services/hospitals')
const display = require('../../services/display')
const errors = require('../../services/errors')
const features = require('../../config/features')

Component({
  behaviors: [pageBehavior],
  data: { hospital: null, hospitalNames: [], hospitalIndex: 0, features, loadError: '' },
  methods: {
    onLoad() {
      this.loadHospitals()
    },
    async loadHospitals() {
      try {
        const { hospital, all } = await hospitals.current()
        this.all = all
        this.setData({
          hospital,
          hospitalNames: all.map((h) => h.name),
          hospitalIndex: Math.max(0, all.indexOf(hospital)),
          loadError: '',
        })
      } catch (err) {
        this.setData({ loadError: errors.messageOf(err) })
      }
    },
    onHospitalChange(event) {
      const hospital = this.all[Number(event.detail.value)]
      if (!hospital) return
      hospitals.choose(hospital)
      this.setData({ hospital, hospitalIndex: Number(event.detail.value) })
    },
    openAssistant() {
      platform.navigateTo('/assistant/pages/chat/index?mode=triage')
    },
    openEntry(event) {
      platform.navigateTo(event.currentTarget.dataset.url)
    },
    onElderlyChange(event) {
      display.setElderly(event.detail.value)
    },
    call120() {
      platform.makePhoneCall('120')
    },
  },
})
