output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Ids of the two private subnets (Lambda, SageMaker), in availability_zones order."
  value       = aws_subnet.private[*].id
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the two private subnets, in availability_zones order; known at plan time."
  value       = local.private_cidrs
}

output "private_route_table_ids" {
  description = "Ids of the private route tables (the gateway endpoints are attached to them)."
  value       = aws_route_table.private[*].id
}

output "workload_security_group_id" {
  description = "Security group for Lambda functions and SageMaker: no ingress, HTTPS egress only."
  value       = aws_security_group.workload.id
}
