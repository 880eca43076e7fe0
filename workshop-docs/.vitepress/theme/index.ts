import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import DeliveryBoard from './DeliveryBoard.vue';
import DeliveryDiagram from './DeliveryDiagram.vue';
import FlowDiagram from './FlowDiagram.vue';
import MeasureChart from './MeasureChart.vue';
import StepFiles from './StepFiles.vue';
import StepList from './StepList.vue';
import './style.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('DeliveryBoard', DeliveryBoard);
    app.component('DeliveryDiagram', DeliveryDiagram);
    app.component('FlowDiagram', FlowDiagram);
    app.component('MeasureChart', MeasureChart);
    app.component('StepFiles', StepFiles);
    app.component('StepList', StepList);
  },
} satisfies Theme;
