# Zram swap (guide, optimization 3): "compressed swap in RAM" that "reduces disk I/O for swap
# operations", useful when memory is constrained.
{
  zramSwap = {
    enable = true;
    memoryPercent = 50;
  };
}
