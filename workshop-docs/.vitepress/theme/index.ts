import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import DeliveryDiagram from './DeliveryDiagram.vue';
import MeasureChart from './MeasureChart.vue';
import StepFiles from './StepFiles.vue';
import StepList from './StepList.vue';
import './style.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('DeliveryDiagram', DeliveryDiagram);
    app.component('MeasureChart', MeasureChart);
    app.component('StepFiles', StepFiles);
    app.component('StepList', StepList);
  },
} satisfies Theme;
